import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Every connection of the server: HTTP/1.1, or a WebSocket upgrade of `/ws` that becomes a
/// ``LiveConnection``, with ``ConnectionLimits`` and an optional SO_SNDBUF.
///
/// It does what hummingbird-websocket's upgrade channel does (written anew), on NIO's own WebSocket
/// upgrader and codec, but leaves no task per live connection: once upgraded, the
/// connection is a handler in its pipeline. A refused upgrade is answered with the problem
/// it was refused with (401, 403, 400, 404, 429).
struct LiveUpgradeChannel: ServerChildChannel, HTTPChannelHandler {
    enum Upgrade: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, Problem, path: String)
        /// Nothing left to do here: the connection lives in its pipeline.
        case live
    }

    struct Value: ServerChildChannelValue {
        let upgrade: EventLoopFuture<Upgrade>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let live: LiveController
    let sendBufferBytes: Int?
    let limits: ConnectionLimits
    let openConnections = OpenConnections()

    init(responder: @escaping HTTPChannelHandler.Responder, live: LiveController, sendBufferBytes: Int?, limits: ConnectionLimits)
    {
        self.responder = Self.redirectingUpgrades(responder)
        self.live = live
        self.sendBufferBytes = sendBufferBytes
        self.limits = limits
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = openConnections.admit(channel, limit: limits.maxConnections)
        return channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            if let sendBufferBytes {
                try channel.syncOptions?.setOption(.socketOption(.so_sndbuf), value: SocketOptionValue(sendBufferBytes))
            }
            try sync.addHandler(SilentConnectionCloser(), position: .first)
            if !admitted { try sync.addHandler(ConnectionRefuser(), position: .first) }

            let admission = NIOLoopBoundBox<(result: Result<LiveAdmission, Problem>, path: String)?>(
                nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                maxFrameSize: live.limits.maxMessageBytes, enableAutomaticErrorHandling: true,
                shouldUpgrade: { [live] channel, head in
                    live.admit(head, on: channel.eventLoop, logger: logger).map { result in
                        admission.value = (result, String(head.uri.prefix { $0 != "?" }))
                        guard case .success(let admitted) = result else { return nil }
                        return admitted.deflate ? HTTPHeaders([("Sec-WebSocket-Extensions", LiveDeflate.agreement)]) : [:]
                    }
                },
                upgradePipelineHandler: { [live] channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .success(let admitted) = admission.value?.result else {
                            throw ChannelError.inappropriateOperationForState
                        }
                        // It answers the server's quiescing for HTTP; a live connection does that itself.
                        let sync = channel.pipeline.syncOperations
                        sync.removeHandler(context: try sync.context(handlerType: SilentConnectionCloser.self), promise: nil)
                        try LiveConnection.install(in: sync, admission: admitted, live: live)
                        return .live
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(
                upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                            try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                            let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                            if let (result, path) = admission.value, case .failure(let problem) = result {
                                return .refused(http, problem, path: path)
                            }
                            return .http(http)
                        }
                    }))
            configuration.enablePipelining = false  // NIOAsyncChannel pipelines HTTP
            configuration.enableErrorHandling = false  // Hummingbird answers parse errors
            configuration.enableResponseHeaderValidation = false  // swift-http-types validates
            let decoder = HTTP1Channel.Configuration().httpDecoder
            configuration.decoderConfiguration.maxHeaderFieldSize = decoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = decoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = decoder.maxHeaderFieldCount
            let upgrade = try sync.configureUpgradableHTTPServerPipeline(configuration: configuration)
            let requestDecoder = try sync.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try sync.addHandler(RequestDeadlines(limits: limits), position: .after(requestDecoder))
            return Value(upgrade: upgrade, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgrade.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let problem, let path):
                try await http.executeThenClose { _, outbound in
                    let body = try problem.body(instance: path)
                    var headers = problem.responseHeaders
                    headers[.connection] = "close"
                    headers[.contentLength] = String(body.readableBytes)
                    try await outbound.write(
                        contentsOf: [.head(HTTPResponse(status: problem.status, headerFields: headers)), .body(body), .end(nil)])
                }
            case .live:
                break
            }
        } catch {
            logger.trace("connection ended before its first request", metadata: ["error": "\(error)"])
        }
    }

    /// A WebSocket upgrade that arrives after a first request on the same connection cannot be
    /// upgraded any more: the client is sent to the same address again with the connection
    /// closed, and its next attempt comes first on a new one.
    private static func redirectingUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        struct Redirected: Error {}
        return { request, writer, channel in
            // Only a valid handshake: a malformed one, which NIO refused on a first request, is
            // answered as plain HTTP (RFC 9110 lets a server ignore Upgrade), not sent round again.
            guard request.headers[.upgrade]?.lowercased() == "websocket", request.headers[.secWebSocketKey] != nil,
                request.headers[.secWebSocketVersion] == "13"
            else {
                return try await responder(request, writer, channel)
            }
            let location = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await writer.writeResponse(
                HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location]))
            throw Redirected()  // which closes the connection
        }
    }
}

/// Closes a connection that has not sent a byte yet when the server starts shutting down.
///
/// The handler that answers the server's quiesce event on HTTP is added only once a first
/// request has shown the connection is not a WebSocket upgrade. A connection
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

extension HTTPServerBuilder {
    /// HTTP/1.1 with the live board's WebSocket upgrade (``LiveUpgradeChannel``).
    static func washboard(live: LiveController, sendBufferBytes: Int?, limits: ConnectionLimits) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            LiveUpgradeChannel(responder: responder, live: live, sendBufferBytes: sendBufferBytes, limits: limits)
        }
    }
}
