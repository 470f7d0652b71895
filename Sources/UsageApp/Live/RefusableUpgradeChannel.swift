import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// The HTTP/1.1 + WebSocket child channel, with ``ConnectionLimits`` and an optional SO_SNDBUF.
/// A refused upgrade is answered with the problem the WebSocket route refused it with (401,
/// 403, 400, 429) instead of the empty 400 that hummingbird-websocket writes for every
/// refusal (it keeps the result of the upgrade internal, so the answer is replaced on its
/// way to the socket).
struct RefusableUpgradeChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let upgradeChannel: HTTP1WebSocketUpgradeChannel
    let refusals: UpgradeRefusals
    let sendBufferBytes: Int?
    let limits: ConnectionLimits
    let openConnections: OpenConnections

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = openConnections.admit(channel, limit: limits.maxConnections)
        do {
            if let sendBufferBytes {
                try channel.syncOptions?.setOption(.socketOption(.so_sndbuf), value: SocketOptionValue(sendBufferBytes))
            }
            try channel.pipeline.syncOperations.addHandler(RefusalWriter(refusals: refusals), position: .first)
            try channel.pipeline.syncOperations.addHandler(SilentConnectionCloser(), position: .first)
            if !admitted { try channel.pipeline.syncOperations.addHandler(ConnectionRefuser(), position: .first) }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return upgradeChannel.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(RequestDeadlines(limits: limits), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await upgradeChannel.handle(value: value, logger: logger)
    }
}

/// Closes a connection that has not sent a byte yet when the server starts shutting down.
///
/// hummingbird-websocket adds the handler that answers the server's quiesce event only
/// once a first request has shown the connection is not a WebSocket upgrade. A connection
/// opened but still silent (browsers open spare ones ahead of need) would otherwise keep a
/// stopping server waiting until the browser drops it, minutes later.
final class SilentConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var hasSpoken = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        hasSpoken = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !hasSpoken {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Answers a connection over ``ConnectionLimits/maxConnections`` with 503 as soon as it is
/// open, before its request is read: the point is to hold nothing for it.
final class ConnectionRefuser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        WashboardMetrics.connectionsRefused.increment()
        let problem = Problem(
            status: .serviceUnavailable, code: "too_many_connections", detail: .tooManyConnections,
            headers: [.retryAfter: String(ConnectionLimits.retryAfterSeconds)])
        if let response = problem.http1Response(path: "", allocator: context.channel.allocator) {
            context.writeAndFlush(NIOAny(response), promise: nil)
        }
        // Tells the upgrade handler no request will come, so that it ends without an error.
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// Replaces the first bytes written after a refusal (the library's empty 400) with the refusal's problem response.
final class RefusalWriter: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let refusals: UpgradeRefusals

    init(refusals: UpgradeRefusals) {
        self.refusals = refusals
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let refusal = refusals.take(for: context.channel),
            let response = refusal.problem.http1Response(path: refusal.path, allocator: context.channel.allocator)
        else {
            context.write(data, promise: promise)
            return
        }
        context.write(wrapOutboundOut(response), promise: promise)
    }
}

/// Why the WebSocket route refused an upgrade, per connection, until the refusal is written.
final class UpgradeRefusals: Sendable {
    private let byChannel = Mutex<[ObjectIdentifier: (problem: Problem, path: String)]>([:])

    func record(_ problem: Problem, path: String, for channel: any Channel) {
        byChannel.withLock { $0[ObjectIdentifier(channel)] = (problem, path) }
        // A client gone before the refusal was written must not leave it to a later channel at the same address.
        channel.closeFuture.whenComplete { _ in _ = self.take(for: channel) }
    }

    func take(for channel: any Channel) -> (problem: Problem, path: String)? {
        byChannel.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// The request context of the WebSocket route: the basic one, plus who is signed in and
/// the connection's channel, so a refusal can be matched to its connection.
struct LiveRequestContext: SessionRequestContext, RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Session?
    var sessionRefusal: (any Error)?
    let webSocket: WebSocketHandlerReference<LiveRequestContext>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}

extension HTTPServerBuilder {
    /// `.http1WebSocketUpgrade(webSocketRouter:configuration:)` with refusals written as problems.
    static func http1WebSocketUpgrade(
        webSocketRouter: Router<LiveRequestContext>, configuration: WebSocketServerConfiguration, refusals: UpgradeRefusals,
        sendBufferBytes: Int?, limits: ConnectionLimits
    ) -> HTTPServerBuilder {
        let openConnections = OpenConnections()
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            RefusableUpgradeChannel(
                upgradeChannel: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: HTTP1WebSocketUpgradeChannel.Configuration(ws: configuration)),
                refusals: refusals, sendBufferBytes: sendBufferBytes, limits: limits, openConnections: openConnections)
        }
    }
}
