import CompressNIO
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic nanoseconds (CLOCK_MONOTONIC, as `DispatchTime.uptimeNanoseconds`).
@inline(__always)
func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

/// One client socket of the load: its state across reconnects.
final class Conn: @unchecked Sendable {
    enum State { case idle, connecting, open, lost }

    let index: Int
    var state = State.idle
    /// Bumped on every attempt, so late callbacks of an older attempt do nothing.
    var attempt = 0
    var channel: Channel?
    var hasHello = false
    /// The highest `seq` received (board, machine, batch, any event frame): what `since` resumes from.
    var maxSeq: Int64 = -1
    /// Each rise of `maxSeq` during the storm, for the time it got the mid-storm change.
    var progress: [(seq: Int64, at: UInt64)] = []
    var inflate = Inflate.none
    /// Its own decompressor, when the server keeps its compression context across messages.
    var decompressor: ZlibDecompressor?
    /// A message arriving in several frames.
    var fragments: ByteBuffer?
    var fragmentsCompressed = false
    var fragmentsText = false
    var stormBoardRequested = false
    /// During the storm: when its TCP connect completed, its 101 arrived, its hello arrived.
    var connectedAt: UInt64 = 0
    var upgradedAt: UInt64 = 0
    var helloAt: UInt64 = 0

    enum Inflate { case none, shared, own }

    init(index: Int) { self.index = index }
}

/// Everything the connections share. Confined to the client's single event loop: handlers and
/// the loop's tasks touch it without locks, and the main thread reads it through
/// `loop.submit`. Hence `@unchecked Sendable`.
final class Load: @unchecked Sendable {
    struct Settings: Sendable {
        var ports: [Int]
        var token: String
        var connections: Int
        var deflate: Bool
        var batch: Bool
        /// At most this many connections between their connect and their hello (the ramp).
        var rampWindow: Int
        var retryDelay: TimeAmount
        var maxFrameSize: Int
        /// GET /api/board requests in flight at once during the storm (each is a socket; the
        /// process may hold 20,000).
        var stormBoardConcurrency: Int
    }

    enum Phase {
        /// Opening the connections, at most `rampWindow` in flight.
        case ramp
        /// All open; losses are failures, reconnected after `retryDelay`.
        case steady
        /// The server was told to stop: losses wait for the storm.
        case down
        /// The new server answers: every lost connection reconnects at once, with `since`.
        case storm
    }

    let loop: EventLoop
    let settings: Settings
    let conns: [Conn]
    var phase = Phase.ramp

    // Connections.
    var nextToOpen = 0
    /// Attempts between their connect and their hello.
    var inFlight = 0
    /// Open connections that had their hello.
    var live = 0
    var hellos = 0
    var failures: [String: Int] = [:]
    var retries = 0
    /// Connections lost after their hello while no loss was expected.
    var unexpectedLosses = 0
    var closeCodes: [Int: Int] = [:]
    var pingsAnswered = 0

    // Frames.
    var messages = 0
    var machineFrames = 0
    var batchFrames = 0
    /// Arrival times of machine frames by seq, in the steady phase.
    var bySeq: [Int64: [UInt64]] = [:]

    // Deflate.
    var deflateNegotiated = 0
    var deflateResponse: String?
    var sharedDecompressor: ZlibDecompressor?
    var ownDecompressors = 0
    var scratch = ByteBufferAllocator().buffer(capacity: 64 * 1024)
    var inflateErrors = 0
    static let deflateTail = ByteBuffer(bytes: [0x00, 0x00, 0xFF, 0xFF])

    // Storm.
    var stormStartedAt: UInt64 = 0
    var stormHellos = 0
    var stormFirstHelloAt: UInt64 = 0
    var stormLastHelloAt: UInt64 = 0
    var stormResumes = 0
    var stormTarget = Int64.max
    var stormCurrent = 0
    var boardQueue: [Conn] = []
    var boardInFlight = 0
    var boardOK = 0
    var boardFailed = 0
    var boardStatuses: [Int: Int] = [:]
    var boardLastDoneAt: UInt64 = 0

    /// The servers' addresses, made once: `connect(host:port:)` would resolve the name and
    /// run happy eyeballs on every connect, which was a quarter of the client's CPU in a ramp.
    let addresses: [SocketAddress]
    /// `GET /api/board` as bytes, per server.
    let boardRequests: [ByteBuffer]

    init(loop: EventLoop, settings: Settings) throws {
        self.loop = loop
        self.settings = settings
        self.addresses = try settings.ports.map { try SocketAddress(ipAddress: "127.0.0.1", port: $0) }
        self.boardRequests = settings.ports.map { RawGet.request(path: "/api/board", port: $0, token: settings.token) }
        self.conns = (0..<settings.connections).map(Conn.init)
    }

    // MARK: opening

    /// Opens connections while fewer than `rampWindow` are waiting for their hello: the accept
    /// queue (256 on the old server) never overflows.
    func pump() {
        while phase == .ramp, inFlight < settings.rampWindow, nextToOpen < conns.count {
            open(conns[nextToOpen])
            nextToOpen += 1
        }
    }

    func open(_ conn: Conn) {
        conn.attempt += 1
        conn.state = .connecting
        conn.hasHello = false
        conn.fragments = nil
        inFlight += 1
        let attempt = conn.attempt
        let port = settings.ports[conn.index % settings.ports.count]

        var query: [String] = []
        if phase == .storm || phase == .steady, conn.maxSeq >= 0 {
            query.append("since=\(conn.maxSeq)")
            if phase == .storm { stormResumes += 1 }
        }
        if settings.batch { query.append("batch=1") }
        let uri = query.isEmpty ? "/ws" : "/ws?" + query.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:\(port)")
        headers.add(name: "Authorization", value: "Bearer \(settings.token)")
        if settings.deflate {
            // What Chrome offers.
            headers.add(name: "Sec-WebSocket-Extensions", value: "permessage-deflate; client_max_window_bits")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
        let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: settings.maxFrameSize) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                try self.upgraded(conn, attempt: attempt, channel: channel, response: response)
                return true
            }
        }
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) }))
        // Frames sent right behind the 101 (the hello) must reach the WebSocket decoder.
        pipeline.leftOverBytesStrategy = .forwardBytes
        let configuration = pipeline

        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: configuration)
                    upgrade.whenComplete { result in
                        switch result {
                        case .success(true): break
                        case .success(false):
                            self.failed(conn, attempt: attempt, "refused")  // an HTTP answer other than 101
                            channel.close(promise: nil)
                        case .failure:
                            self.failed(conn, attempt: attempt, "upgrade")
                            channel.close(promise: nil)
                        }
                    }
                }
            }
            .connect(to: addresses[conn.index % addresses.count])
            .whenComplete { result in
                switch result {
                case .success:
                    if self.phase == .storm, conn.attempt == attempt { conn.connectedAt = now() }
                case .failure:
                    self.failed(conn, attempt: attempt, "connect")
                }
            }
    }

    /// The 101 arrived: reads the negotiated extension and puts the frame handler in place.
    private func upgraded(_ conn: Conn, attempt: Int, channel: Channel, response: HTTPResponseHead) throws {
        let extensions = response.headers["Sec-WebSocket-Extensions"].joined(separator: ", ")
        if let deflate = PerMessageDeflate(extensions) {
            deflateNegotiated += 1
            if deflateResponse == nil { deflateResponse = extensions }
            // With the server's context reset per message, one decompressor serves every connection.
            conn.inflate = deflate.serverNoContextTakeover ? .shared : .own
        } else {
            conn.inflate = .none
        }
        conn.channel = channel
        conn.state = .open
        if phase == .storm { conn.upgradedAt = now() }
        try channel.pipeline.syncOperations.addHandler(FrameHandler(load: self, conn: conn, attempt: attempt))
    }

    /// A connect, an upgrade, or a connection that closed before its hello: retried after a short delay.
    func failed(_ conn: Conn, attempt: Int, _ reason: String) {
        guard conn.attempt == attempt, conn.state == .connecting || (conn.state == .open && !conn.hasHello) else { return }
        failures[reason, default: 0] += 1
        inFlight -= 1
        conn.state = .idle
        conn.channel = nil
        retries += 1
        loop.scheduleTask(in: settings.retryDelay) {
            guard conn.state == .idle, conn.attempt == attempt else { return }
            switch self.phase {
            case .down: conn.state = .lost  // opened when the storm starts
            case .ramp, .steady, .storm: self.open(conn)
            }
        }
        pump()
    }

    func hello(_ conn: Conn, at time: UInt64) {
        guard !conn.hasHello else { return }
        conn.hasHello = true
        inFlight -= 1
        live += 1
        hellos += 1
        if phase == .storm {
            stormHellos += 1
            if stormFirstHelloAt == 0 { stormFirstHelloAt = time }
            stormLastHelloAt = time
            conn.helloAt = time
        }
        pump()
    }

    /// The socket closed (after the upgrade).
    func closed(_ conn: Conn, attempt: Int) {
        guard conn.attempt == attempt else { return }
        conn.channel = nil
        if !conn.hasHello {
            failed(conn, attempt: attempt, "closedBeforeHello")
            return
        }
        conn.hasHello = false
        live -= 1
        conn.state = .lost
        switch phase {
        case .down:
            break
        case .storm:
            unexpectedLosses += 1
            stormReconnect(conn)
        case .ramp, .steady:
            unexpectedLosses += 1
            loop.scheduleTask(in: settings.retryDelay) {
                if conn.state == .lost, self.phase != .down { self.open(conn) }
            }
        }
    }

    // MARK: frames

    func machine(_ conn: Conn, seq: Int64, at time: UInt64) {
        machineFrames += 1
        if phase == .steady { bySeq[seq, default: []].append(time) }
        advance(conn, to: seq, at: time)
    }

    func advance(_ conn: Conn, to seq: Int64, at time: UInt64) {
        guard seq > conn.maxSeq else { return }
        let old = conn.maxSeq
        conn.maxSeq = seq
        if phase == .storm {
            conn.progress.append((seq, time))
            if old < stormTarget, seq >= stormTarget { stormCurrent += 1 }
        }
    }

    /// Inflates one compressed message (RFC 7692: append 00 00 FF FF, raw deflate) into `scratch`.
    func inflate(_ data: inout ByteBuffer, for conn: Conn) throws -> ByteBuffer {
        let decompressor: ZlibDecompressor
        switch conn.inflate {
        case .none:
            throw OneShotHTTP.Failure(description: "a compressed frame without permessage-deflate")
        case .shared:
            if sharedDecompressor == nil { sharedDecompressor = try ZlibDecompressor(algorithm: .deflate, windowSize: 15) }
            decompressor = sharedDecompressor!
        case .own:
            if conn.decompressor == nil {
                conn.decompressor = try ZlibDecompressor(algorithm: .deflate, windowSize: 15)
                ownDecompressors += 1
            }
            decompressor = conn.decompressor!
        }
        scratch.clear()
        do {
            try feed(decompressor, &data)
            var tail = Self.deflateTail
            try feed(decompressor, &tail)
        } catch {
            try? decompressor.reset()
            throw error
        }
        if conn.inflate == .shared { try decompressor.reset() }
        return scratch
    }

    private func feed(_ decompressor: ZlibDecompressor, _ input: inout ByteBuffer) throws {
        while input.readableBytes > 0 {
            do {
                try decompressor.inflate(from: &input, to: &scratch)
                return
            } catch let error as CompressNIOError where error == .bufferOverflow {
                scratch.reserveCapacity(minimumWritableBytes: max(16 * 1024, scratch.capacity))
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                return
            }
        }
    }

    // MARK: the storm

    /// Every lost connection reconnects at once, in chunks so the loop reads in between; each
    /// also asks for the board once, as the PWA does on a reconnect.
    func startStorm() {
        phase = .storm
        stormStartedAt = now()
        let lost = conns.filter { $0.state == .lost || $0.state == .idle }
        openChunk(lost, from: 0)
    }

    private func openChunk(_ list: [Conn], from start: Int) {
        let end = min(list.count, start + 256)
        for conn in list[start..<end] where conn.state == .lost || conn.state == .idle {
            stormReconnect(conn)
        }
        if end < list.count { loop.execute { self.openChunk(list, from: end) } }
    }

    private func stormReconnect(_ conn: Conn) {
        open(conn)
        if !conn.stormBoardRequested {
            conn.stormBoardRequested = true
            boardQueue.append(conn)
            nextBoard()
        }
    }

    private func nextBoard() {
        while boardInFlight < settings.stormBoardConcurrency, let conn = boardQueue.popLast() {
            boardInFlight += 1
            let index = conn.index % addresses.count
            RawGet.send(boardRequests[index], to: addresses[index], on: loop)
                .whenComplete { result in
                    self.boardInFlight -= 1
                    switch result {
                    case .success(let status):
                        self.boardStatuses[status, default: 0] += 1
                        self.boardOK += 1
                        self.boardLastDoneAt = now()
                    case .failure:
                        // Retried after a short delay, and counted.
                        self.boardFailed += 1
                        self.loop.scheduleTask(in: self.settings.retryDelay) {
                            self.boardQueue.append(conn)
                            self.nextBoard()
                        }
                    }
                    self.nextBoard()
                }
        }
    }

    func setStormTarget(_ seq: Int64) {
        stormTarget = seq
        stormCurrent = conns.reduce(0) { $0 + ($1.maxSeq >= seq ? 1 : 0) }
    }
}

/// The server's answer to our permessage-deflate offer.
struct PerMessageDeflate {
    var serverNoContextTakeover = false
    var clientNoContextTakeover = false
    var serverMaxWindowBits: Int?
    var clientMaxWindowBits: Int?

    init?(_ header: String) {
        for offer in header.split(separator: ",") {
            let parameters = offer.split(separator: ";").map { $0.trimmingSpaces }
            guard parameters.first?.lowercased() == "permessage-deflate" else { continue }
            for parameter in parameters.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
                let value = pair.count > 1 ? Int(pair[1].filter { $0 != "\"" }) : nil
                switch pair[0].lowercased() {
                case "server_no_context_takeover": serverNoContextTakeover = true
                case "client_no_context_takeover": clientNoContextTakeover = true
                case "server_max_window_bits": serverMaxWindowBits = value
                case "client_max_window_bits": clientMaxWindowBits = value
                default: break
                }
            }
            return
        }
        return nil
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// The handler of one connection after the upgrade: answers pings, reads each message's kind
/// and seq by scanning its bytes, inflates compressed messages.
final class FrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let load: Load
    let conn: Conn
    let attempt: Int
    var closeSent = false

    init(load: Load, conn: Conn, attempt: Int) {
        self.load = load
        self.conn = conn
        self.attempt = attempt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let time = now()
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            if frame.fin {
                message(context: context, frame.unmaskedData, compressed: frame.rsv1, text: frame.opcode == .text, at: time)
            } else {
                var start = context.channel.allocator.buffer(capacity: frame.length * 2)
                var data = frame.unmaskedData
                start.writeBuffer(&data)
                conn.fragments = start
                conn.fragmentsCompressed = frame.rsv1
                conn.fragmentsText = frame.opcode == .text
            }
        case .continuation:
            guard var whole = conn.fragments else { return }
            conn.fragments = nil
            var data = frame.unmaskedData
            whole.writeBuffer(&data)
            if frame.fin {
                message(context: context, whole, compressed: conn.fragmentsCompressed, text: conn.fragmentsText, at: time)
            } else {
                conn.fragments = whole
            }
        case .ping:
            load.pingsAnswered += 1
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self).map(Int.init) ?? 1005
            load.closeCodes[code, default: 0] += 1
            if !closeSent {
                closeSent = true
                var echo = context.channel.allocator.buffer(capacity: 2)
                if code != 1005 { echo.writeInteger(UInt16(code)) }
                let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: echo)
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            }
            // The server closes the TCP connection; if it does not, we do.
            let channel = context.channel
            context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        default:
            break
        }
    }

    private func message(context: ChannelHandlerContext, _ data: ByteBuffer, compressed: Bool, text: Bool, at time: UInt64) {
        load.messages += 1
        var data = data
        if compressed {
            do {
                data = try load.inflate(&data, for: conn)
            } catch {
                load.inflateErrors += 1
                context.close(promise: nil)
                return
            }
        }
        guard text else { return }
        data.withUnsafeReadableBytes { scan($0, at: time) }
    }

    private func scan(_ bytes: UnsafeRawBufferPointer, at time: UInt64) {
        guard let top = FrameScan.spliced(bytes, at: 0) else {
            if !conn.hasHello, FrameScan.isHello(bytes) { load.hello(conn, at: time) }
            return
        }
        switch top.kind {
        case .machine:
            load.machine(conn, seq: top.seq, at: time)
        case .batch:
            load.batchFrames += 1
            var index = top.end
            while let open = FrameScan.nextOpen(bytes, from: index) {
                if let inner = FrameScan.spliced(bytes, at: open) {
                    if inner.kind == .machine {
                        load.machine(conn, seq: inner.seq, at: time)
                    } else {
                        load.advance(conn, to: inner.seq, at: time)
                    }
                    index = inner.end
                } else {
                    index = open + 1
                }
            }
        case .hello:
            load.hello(conn, at: time)
        case .board, .other:
            load.advance(conn, to: top.seq, at: time)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        load.closed(conn, attempt: attempt)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
