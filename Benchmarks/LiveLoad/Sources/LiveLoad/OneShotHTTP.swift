import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request on a connection of its own (`Connection: close`), on the client's event
/// loop: the board changes, `/health` and `/metrics` (the storm's `GET /api/board` per client is
/// a `RawGet`).
enum OneShotHTTP {
    struct Reply: Sendable {
        var status: Int
        var body: ByteBuffer
        /// When the connection was up and the request about to be written, in `now()` nanoseconds.
        var sentAt: UInt64

        var text: String { String(buffer: body) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func request(
        _ method: HTTPMethod, _ path: String, port: Int, token: String? = nil, on loop: EventLoop,
        connectTimeout: TimeAmount = .seconds(5)
    ) -> EventLoopFuture<Reply> {
        let promise = loop.makePromise(of: Reply.self)
        ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(promise: promise))
                }
            }
            .connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: port))
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    promise.fail(error)
                case .success(let channel):
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "127.0.0.1:\(port)")
                    headers.add(name: "Connection", value: "close")
                    if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
                    if method == .POST || method == .PUT { headers.add(name: "Content-Length", value: "0") }
                    channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)), promise: nil)
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                }
            }
        return promise.futureResult
    }

    private final class ReplyHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart

        let promise: EventLoopPromise<Reply>
        var status = 0
        var body = ByteBuffer()
        var sentAt: UInt64 = 0
        var done = false

        init(promise: EventLoopPromise<Reply>) { self.promise = promise }

        func channelActive(context: ChannelHandlerContext) {
            // The request is written as soon as the connect completes.
            sentAt = now()
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                finish(.success(Reply(status: status, body: body, sentAt: sentAt)))
                context.close(promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(Failure(description: "connection closed before the response ended")))
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        private func finish(_ result: Result<Reply, Error>) {
            guard !done else { return }
            done = true
            promise.completeWith(result)
        }
    }
}

/// A GET written as raw bytes on a connection of its own, the response read until the server
/// closes (`Connection: close`), only its status parsed: the storm's `GET /api/board` per
/// client, at a fraction of what NIO's HTTP pipeline costs per connection.
enum RawGet {
    static func request(path: String, port: Int, token: String) -> ByteBuffer {
        ByteBuffer(
            string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n"
                + "Accept: application/json\r\nConnection: close\r\n\r\n")
    }

    /// The response's status.
    static func send(_ request: ByteBuffer, to address: SocketAddress, on loop: EventLoop) -> EventLoopFuture<Int> {
        let promise = loop.makePromise(of: Int.self)
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(request: request, promise: promise))
                }
            }
            .connect(to: address)
            .whenFailure { promise.fail($0) }
        return promise.futureResult
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let request: ByteBuffer
        let promise: EventLoopPromise<Int>
        /// The first bytes of the response, until the status code is in.
        var start = ByteBuffer()
        var status = 0
        var done = false

        init(request: ByteBuffer, promise: EventLoopPromise<Int>) {
            self.request = request
            self.promise = promise
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(request), promise: nil)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard status == 0 else { return }
            var part = unwrapInboundIn(data)
            start.writeBuffer(&part)
            // "HTTP/1.1 200 …"
            if start.readableBytes >= 12, let code = start.getString(at: start.readerIndex + 9, length: 3).flatMap({ Int($0) }) {
                status = code
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(status > 0 ? .success(status) : .failure(OneShotHTTP.Failure(description: "closed without a response")))
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        private func finish(_ result: Result<Int, Error>) {
            guard !done else { return }
            done = true
            promise.completeWith(result)
        }
    }
}
