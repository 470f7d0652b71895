import DeviceState
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// How long a connection may take and how many may be open: what stops a client that
/// opens connections and then dribbles, or stops, from holding the server's file descriptors.
struct ConnectionLimits: Sendable {
    /// From a request's first byte to the end of its head; then 408 and the connection closes.
    var headTimeout: Duration = .seconds(10)
    /// From a request's head to the end of its body; then 408 (or a plain close once answering).
    var bodyTimeout: Duration = .seconds(30)
    /// A connection with no request under way closes after this long, without an answer.
    var idleTimeout: Duration = .seconds(60)
    /// Open connections of every kind; one more is answered 503 and closed at once.
    var maxConnections = 20_000
    /// Live connections of one resident or kiosk (tabs, devices); one more is refused with 429.
    var maxLivePerViewer = 8

    /// What a refused connection is told to wait before trying again.
    static let retryAfterSeconds = 5
}

/// Counts open connections, for ``ConnectionLimits/maxConnections``.
final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts `channel` until it closes; false (and not counted) when that would pass `limit`.
    func admit(_ channel: any Channel, limit: Int) -> Bool {
        guard count.wrappingAdd(1, ordering: .relaxed).newValue <= limit else {
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.count.wrappingSubtract(1, ordering: .relaxed) }
        return true
    }
}

/// Enforces ``ConnectionLimits``' three timeouts on an HTTP/1.1 connection, between NIO's
/// request decoder and everything after it.
///
/// The decoder passes a request on only once its head is whole, so a client still sending
/// a head shows here as a read that produced no head (`channelReadComplete`). A WebSocket
/// upgrade request takes the handler out of the pipeline: the socket then has its own
/// ping and close timeouts.
final class RequestDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: ConnectionLimits
    /// Requests whose head arrived, whose end arrived, and answers begun and ended.
    private var heads = 0
    private var ends = 0
    private var answersBegun = 0
    private var answersEnded = 0
    /// Bytes of the next head have arrived.
    private var headStarted = false
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Between requests: every request read and answered.
    private var isBetweenRequests: Bool { heads == ends && answersEnded >= heads }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { schedule(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var data = data
        switch unwrapInboundIn(data) {
        case .head(var head):
            heads += 1
            headStarted = false
            let protocols = Self.upgradeProtocols(head)
            if protocols.contains("websocket") {
                if head.uri == LiveController.path || head.uri.hasPrefix(LiveController.path + "?") {
                    context.fireChannelRead(data)
                    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                    return
                }
            } else if !protocols.isEmpty {
                // A protocol we do not speak (`h2c` from `curl --http2`): answered as HTTP/1.1,
                // as RFC 9110 allows. swift-nio's typed upgrade handler would drop the head of
                // such a request and the client would get no answer at all.
                head.headers.remove(name: "upgrade")
                data = wrapInboundOut(.head(head))
            }
        case .body:
            break
        case .end:
            ends += 1
        }
        schedule(context)
        context.fireChannelRead(data)
    }

    /// The protocols an `Upgrade` header asks for, lowercased, without versions.
    ///
    /// Only a WebSocket upgrade of `/ws` takes this handler out: it ends in a 101 or, refused,
    /// in a problem and a close. Any other request stays plain HTTP/1.1 and keeps its deadlines.
    static func upgradeProtocols(_ head: HTTPRequestHead) -> [String] {
        head.headers["upgrade"].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "/").first.map(String.init) ?? ""
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if isBetweenRequests, !headStarted {
            // Bytes arrived that are not yet a whole head: the head's clock starts now.
            headStarted = true
            schedule(context)
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: answersBegun += 1
        case .body: break
        case .end:
            answersEnded += 1
            headStarted = false
            schedule(context)
        }
        context.write(data, promise: promise)
    }

    /// Sets the one deadline that applies now, or none while the server is answering.
    private func schedule(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        let timeout: Duration
        let expiry: Expiry
        if heads > ends {
            (timeout, expiry) = (limits.bodyTimeout, .body)
        } else if isBetweenRequests {
            (timeout, expiry) = headStarted ? (limits.headTimeout, .head) : (limits.idleTimeout, .idle)
        } else {
            return
        }
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: TimeAmount(timeout)) {
            self.expire(expiry, context: context)
        }
    }

    private enum Expiry { case idle, head, body }

    private func expire(_ expiry: Expiry, context: ChannelHandlerContext) {
        deadline = nil
        // A 408 only where no answer has begun: otherwise it would land inside another answer.
        if expiry != .idle, answersBegun == answersEnded, answersEnded == heads - (expiry == .body ? 1 : 0) {
            WashboardMetrics.requestTimeouts.increment()
            answer(Problem(status: .requestTimeout, code: "request_timeout", detail: .requestTimedOut), context: context)
        } else {
            close(context)
        }
    }

    /// Bytes that are not HTTP/1.1 (an unknown method, a broken head): 400, then close, as
    /// the decoder cannot find where the next request would start.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Not while a request waits for its answer: that answer comes first, then the error.
        guard error is HTTPParserError, answersBegun == answersEnded, answersEnded >= heads else {
            context.fireErrorCaught(error)
            return
        }
        deadline?.cancel()
        deadline = nil
        answer(Problem.badRequest(.requestNotHTTP), context: context)
    }

    /// Writes `problem` as the connection's last answer, then closes it.
    private func answer(_ problem: Problem, context: ChannelHandlerContext) {
        guard let body = try? problem.body(instance: "") else { return close(context) }
        var headers = HTTPHeaders()
        for field in problem.responseHeaders { headers.add(name: field.name.canonicalName, value: field.value) }
        headers.add(name: "connection", value: "close")
        headers.add(name: "content-length", value: String(body.readableBytes))
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: problem.status.code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in self.close(context) }
    }

    /// Closes the connection. Before its first request, NIO's upgrade handler
    /// is still waiting for one and would report the close as an error: it is told first that
    /// no request will come, which it takes quietly.
    private func close(_ context: ChannelHandlerContext) {
        if heads == 0 { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.close(promise: nil)
    }
}

extension Problem {
    /// The whole HTTP/1.1 response, for the places that write to the socket before or
    /// instead of the router (a refused upgrade, a connection over the limit).
    func http1Response(path: String, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard let body = try? body(instance: path) else { return nil }
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in responseHeaders {
            head += "\(field.name.canonicalName): \(field.value)\r\n"
        }
        head += "connection: close\r\ncontent-length: \(body.readableBytes)\r\n\r\n"
        var response = allocator.buffer(string: head)
        response.writeImmutableBuffer(body)
        return response
    }
}
