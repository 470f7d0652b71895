import CompressNIO
import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing

@testable import UsageApp

/// What a test client saw on the socket.
final class Received: Sendable {
    struct Frame: Decodable, Sendable {
        var type: String
        var seq: Int64?
        var machine: MachineStatus?
        var error: ErrorDetail?
    }
    struct ErrorDetail: Decodable, Sendable { var code: String }

    private let frames = Mutex<[Frame]>([])
    var all: [Frame] { frames.withLock { $0 } }
    @discardableResult
    func append(_ text: String) throws -> Frame {
        let frame = try DomainJSON.decoder().decode(Frame.self, from: Data(text.utf8))
        frames.withLock { $0.append(frame) }
        return frame
    }
}

extension WebSocketInboundStream {
    struct UnexpectedGreeting: Error, CustomStringConvertible {
        var description: String
    }

    /// The messages after the greeting of a new connection, which must be hello, then the board.
    func afterGreeting() async throws -> WebSocketInboundMessageStream.AsyncIterator {
        var iterator = messages(maxSize: 1 << 16).makeAsyncIterator()
        for expected in ["hello", "board"] {
            let message = try await iterator.next()
            guard case .text(let text) = message, text.contains(#""type":"\#(expected)""#) else {
                throw UnexpectedGreeting(description: "expected \(expected), got \(message.map { "\($0)" } ?? "the end")")
            }
        }
        return iterator
    }
}

/// Connects to `/ws` on `port` as the holder of `token`, runs `body` with the socket, and returns the close frame.
@discardableResult
func openLive(
    port: Int, token: String, query: String = "", maxFrameSize: Int = 1 << 16, deflate: Bool = false,
    _ body: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void
) async throws -> WebSocketCloseFrame? {
    var logger = Logger(label: "washboard.test.ws")
    logger.logLevel = .warning
    return try await WebSocketClient.connect(
        url: "ws://127.0.0.1:\(port)/ws\(query)",
        configuration: .init(
            maxFrameSize: maxFrameSize, additionalHeaders: [.authorization: "Bearer \(token)"],
            // As every browser offers it: the server agrees, and compresses and inflates messages.
            extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 1 << 22, minFrameSizeToCompress: 16)] : []),
        logger: logger
    ) { inbound, outbound, _ in try await body(inbound, outbound) }
}

extension TestDorm {
    /// ``openLive(port:token:query:maxFrameSize:_:)``.
    @discardableResult
    func live(
        port: Int, token: String, query: String = "", maxFrameSize: Int = 1 << 16, deflate: Bool = false,
        _ body: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void
    ) async throws -> WebSocketCloseFrame? {
        try await openLive(port: port, token: token, query: query, maxFrameSize: maxFrameSize, deflate: deflate, body)
    }
}

@Suite("The live board over WebSocket", .timeLimit(.minutes(2)))
struct LiveBoardTests {
    @Test("resuming with since while another connection writes 500 changes: every seq once, in order")
    func resumeDuringWrites() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let start = try await dorm.store.headSeq()
        // A second store on the same file commits as another process would: the server hears of it by polling.
        let other = try SQLiteStore(path: dorm.folder.databasePath)
        let changes = 500
        try await dorm.withServer { client in
            let port = try #require(client.port)
            let writer = Task {
                for index in 0..<changes {
                    let command: MachineCommand = index.isMultiple(of: 2) ? .markBroken(note: "check \(index)") : .markRepaired
                    _ = try await other.apply(command, toMachine: "W2", at: .currentSecond)
                }
            }
            let received = Received()
            let close = try await dorm.live(port: port, token: token, query: "?since=\(start)") { inbound, outbound in
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    if try received.append(text).seq ?? 0 >= start + Int64(changes) { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(close?.closeCode == .normalClosure)
            try await writer.value
            let seqs = received.all.filter { $0.type == "machine" }.compactMap(\.seq)
            #expect(received.all.first?.type == "hello")
            #expect(!received.all.contains { $0.type == "board" }, "since was inside the log: no full board")
            #expect(seqs == Array((start + 1)...(start + Int64(changes))))
        }
    }

    @Test(
        "without since, or with one older than the retained log, a client gets hello and the full board first",
        arguments: [(query: "", pruned: false), (query: "?since=1", pruned: true)])
    func boardFirst(query: String, pruned: Bool) async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        _ = try await dorm.store.apply(.markBroken(note: "old"), toMachine: "W1", at: .currentSecond)
        if pruned {
            let later = Date().addingTimeInterval(3600)
            _ = try await dorm.store.prune(
                before: Retention.Cutoffs(
                    events: later, settledPushes: .distantPast, idempotencyKeys: .distantPast, alerts: .distantPast,
                    history: .distantPast))
        }
        try await dorm.withServer { client in
            _ = try await dorm.live(port: try #require(client.port), token: token, query: query) { inbound, outbound in
                _ = try await inbound.afterGreeting()
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
    }

    @Test("a change made by `washboard admin machine broken` in another process reaches a connected client within a second")
    func cliChangeArrives() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let arrival = Mutex<Duration?>(nil)
            try await dorm.live(port: try #require(client.port), token: token) { inbound, outbound in
                var iterator = try await inbound.afterGreeting()
                let cli = try await washboard(
                    "admin", "machine", "broken", "W1", "--note", "door seal leaking", "--db", dorm.folder.databasePath)
                #expect(cli.status == 0)
                let committed = ContinuousClock.now
                while case .text(let text) = try await iterator.next() {
                    let frame = try DomainJSON.decoder().decode(Received.Frame.self, from: Data(text.utf8))
                    if frame.machine?.machine.id == "W1", frame.machine?.machine.state == .broken {
                        arrival.withLock { $0 = ContinuousClock.now - committed }
                        break
                    }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            let latency = try #require(arrival.withLock { $0 })
            #expect(latency < .seconds(1), "arrived \(latency) after the CLI exited")
        }
    }

    @Test("refused before the upgrade: no credentials 401, a revoked token 401, a foreign or null Origin 403")
    func refusals() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let (revokedId, revokedToken) = try await dorm.resident("Bob")
        _ = try await dorm.store.revokeResident(revokedId, at: .currentSecond)
        let upgrade: HTTPFields = [
            .connection: "Upgrade", .upgrade: "websocket", .secWebSocketVersion: "13",
            .secWebSocketKey: "dGhlIHNhbXBsZSBub25jZQ==",
        ]
        try await dorm.withServer { client in
            var cases: [(HTTPFields, HTTPResponse.Status)] = []
            cases.append((upgrade, .unauthorized))
            var revoked = upgrade
            revoked[.authorization] = "Bearer \(revokedToken)"
            cases.append((revoked, .unauthorized))
            var foreign = upgrade
            foreign[.authorization] = "Bearer \(token)"
            foreign[.origin] = "https://evil.example"
            cases.append((foreign, .forbidden))
            foreign[.origin] = "null"
            cases.append((foreign, .forbidden))
            foreign[.origin] = "http://127.0.0.1:8080.evil.example"
            cases.append((foreign, .forbidden))
            let port = try #require(client.port)
            for (headers, status) in cases {
                // A refusal closes its connection: one each.
                let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.execute(TestClient.Request("/ws", method: .get, headers: headers))
                }
                #expect(response.head.status == status)
                #expect(response.head.headerFields[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("a client that stops reading is closed with 4008 while a second client receives every event")
    func slowClient() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let hub = LiveHub(maxFramesBehind: 64)
        // A small send buffer, so the stalled socket fills after kilobytes, not the kernel's 4 MB.
        try await dorm.withServer(hub: hub, socketSendBufferBytes: 4096) { client in
            let port = try #require(client.port)
            let start = try await dorm.store.headSeq()
            let slow = try await RawWebSocket.open(port: port, token: token)
            let outcome = Mutex<(last: Int64, notices: Int)>((0, 0))
            let received = Received()
            try await dorm.live(port: port, token: token) { inbound, outbound in
                var iterator = try await inbound.afterGreeting()
                let text = String(repeating: "The dryers in Hall A are being serviced. ", count: 12)
                var notices = 0
                while hub.connectionCount > 1, notices < 3000 {
                    _ = try await dorm.store.postNotice(
                        Notice(
                            id: UUID().uuidString, text: text, severity: .info, publishAt: .currentSecond,
                            createdAt: .currentSecond),
                        at: .currentSecond)
                    notices += 1
                }
                let last = try await dorm.store.headSeq()
                outcome.withLock { $0 = (last, notices) }
                while case .text(let frame) = try await iterator.next() {
                    if try received.append(frame).seq ?? 0 >= last { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            let (last, notices) = outcome.withLock { $0 }
            #expect(notices < 3000, "the slow client was dropped after \(notices) notices")
            #expect(received.all.filter { $0.type == "notice" }.compactMap(\.seq) == Array((start + 1)...last))
            let code = await onOwnThread { slow.readCloseCode() }
            #expect(code == nil || code == 4008, "its stream ends; with 4008 if the close frame got through the full socket")
        }
    }

    @Test("a resume of 400 frames in one go, more than the send watermark holds, is not taken for a slow client")
    func longResume() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer(hub: LiveHub(maxFramesBehind: 64)) { client in
            let port = try #require(client.port)
            let start = try await dorm.store.headSeq()
            let text = String(repeating: "The dryers in Hall A are being serviced. ", count: 12)
            for _ in 0..<400 {
                _ = try await dorm.store.postNotice(
                    Notice(
                        id: UUID().uuidString, text: text, severity: .info, publishAt: .currentSecond, createdAt: .currentSecond),
                    at: .currentSecond)
            }
            let last = try await dorm.store.headSeq()
            let received = Received()
            let close = try await dorm.live(port: port, token: token, query: "?since=\(start)") { inbound, outbound in
                var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                while case .text(let text) = try await iterator.next() {
                    let frame = try received.append(text)
                    if frame.type == "notice", frame.seq ?? 0 >= last { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(received.all.filter { $0.type == "notice" }.compactMap(\.seq) == Array((start + 1)...last))
            #expect(close?.closeCode != .unknown(4008))
        }
    }

    @Test("a connected resident whose session is revoked is closed with 4001")
    func revokedWhileConnected() async throws {
        let dorm = try await TestDorm()
        let (id, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let close = try await dorm.live(port: try #require(client.port), token: token) { inbound, _ in
                var iterator = try await inbound.afterGreeting()
                _ = try await dorm.store.revokeResident(id, at: .currentSecond)
                while try await iterator.next() != nil {}
            }
            #expect(close?.closeCode == .unknown(4001))
        }
    }

    @Test("bad frames: invalid JSON and unknown types get error frames, a flood is closed with 1008, others keep being served")
    func badFrames() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let port = try #require(client.port)
            let received = Received()
            try await dorm.live(port: port, token: token) { inbound, outbound in
                var iterator = try await inbound.afterGreeting()
                for text in ["{not json", #"{"type":"dance"}"#, #"{"type":"ping","t":42}"#] {
                    try await outbound.writeTextMessage(text)
                    if case .text(let reply) = try await iterator.next() { try received.append(reply) }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(received.all.map(\.type) == ["error", "error", "pong"])
            #expect(received.all.compactMap(\.error?.code) == ["invalid_json", "unknown_type"])

            let flood = try await dorm.live(port: port, token: token) { inbound, outbound in
                for _ in 0..<30 { try await outbound.writeTextMessage(#"{"type":"ping"}"#) }
                for try await _ in inbound {}
            }
            #expect(flood?.closeCode == .policyViolation)

            let tooBig = try await dorm.live(port: port, token: token, maxFrameSize: 1 << 21) { inbound, outbound in
                try await outbound.writeTextMessage(String(repeating: "x", count: 1 << 20))
                for try await _ in inbound {}
            }
            #expect(tooBig?.closeCode == .messageTooLarge)

            // With permessage-deflate, 1 MiB of one letter is a few kilobytes on the wire and
            // inflates past the limit: a deflate bomb. Also 1009, not 1011.
            let bomb = try await dorm.live(port: port, token: token, maxFrameSize: 1 << 21, deflate: true) { inbound, outbound in
                var iterator = try await inbound.afterGreeting()
                try await outbound.writeTextMessage(#"{"type":"ping","t":1}"#)
                guard case .text(let pong) = try await iterator.next() else { throw CancellationError() }
                #expect(pong.contains(#""pong""#), "deflate was negotiated and works")
                try await outbound.writeTextMessage(String(repeating: "x", count: 1 << 20))
                while try await iterator.next() != nil {}
            }
            #expect(bomb?.closeCode == .messageTooLarge)

            let still = Received()
            try await dorm.live(port: port, token: token) { inbound, outbound in
                var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                if case .text(let text) = try await iterator.next() { try still.append(text) }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(still.all.first?.type == "hello", "the server still serves others")
        }
    }
}

@Suite("permessage-deflate on the live board", .timeLimit(.minutes(1)))
struct LiveDeflateTests {
    @Test(
        "agreed without context takeover, or declined for a server window under 15 bits; every socket gets the same compressed bytes, which inflate to the frame"
    )
    func compressedOnce() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let port = try #require(client.port)
            func open(offering offer: String) async throws -> RawWebSocket {
                try await RawWebSocket.open(port: port, token: token, extensions: offer)
            }
            let declined = try await open(offering: "permessage-deflate; server_max_window_bits=10")
            #expect(!declined.handshake.lowercased().contains("sec-websocket-extensions"), "\(declined.handshake)")
            let sockets = [
                try await open(offering: "permessage-deflate; client_max_window_bits"),
                try await open(offering: "permessage-deflate; client_max_window_bits"),
            ]
            for socket in sockets {
                #expect(
                    socket.handshake.lowercased().contains(
                        "sec-websocket-extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
                    "\(socket.handshake)")
                let greeting = try await onOwnThread { Result { try [socket.readFrame(), socket.readFrame()] } }.get()
                #expect(greeting.map(\.compressed) == [false, true], "hello is short; the board is compressed")
            }
            let text = String(repeating: "The dryers in Hall A are being serviced. ", count: 12)
            _ = try await dorm.store.postNotice(
                Notice(id: UUID().uuidString, text: text, severity: .info, publishAt: .currentSecond, createdAt: .currentSecond),
                at: .currentSecond)
            let frames = try await onOwnThread { Result { try sockets.map { try $0.readFrame() } } }.get()
            #expect(frames.allSatisfy { $0.compressed })
            #expect(frames[0].payload == frames[1].payload)
            // RFC 7692 §7.2.2: the receiver appends the sync flush's tail before inflating.
            var compressed = ByteBuffer(bytes: frames[0].payload + [0x00, 0x00, 0xFF, 0xFF])
            let inflated = String(
                buffer: try compressed.decompressStream(with: ZlibDecompressor(algorithm: .deflate), maxSize: 1 << 16))
            #expect(inflated.hasPrefix(#"{"type":"notice","seq":"#))
            #expect(inflated.contains("Hall A are being serviced. The dryers"))
            #expect(frames[0].payload.count * 2 < inflated.utf8.count)
        }
    }
}

/// Live connections in embedded channels, fed by a hub whose ring starts empty at seq 0:
/// what a connection writes, frame by frame, with no socket in between.
@Suite("Live hub")
struct LiveHubTests {
    let dorm: TestDorm
    let residents: [Resident]

    init() async throws {
        dorm = try await TestDorm()
        var residents: [Resident] = []
        for name in ["Ada", "Bo"] {
            let (_, token) = try await dorm.resident(name)
            residents.append(try #require(try await dorm.store.resident(forToken: token, at: Date(), idleLimit: 3600)))
        }
        self.residents = residents
    }

    /// A hub whose tailer has read nothing yet: every connection resumes from its ring.
    static func hub(maxFramesBehind: Int = 1024) -> LiveHub {
        let hub = LiveHub(maxFramesBehind: maxFramesBehind)
        hub.ring.warm(after: 0, head: 0, oldest: nil, events: [])
        return hub
    }

    func controller(_ hub: LiveHub) -> LiveController {
        LiveController(
            store: dorm.store, sessions: Sessions(store: dorm.store, publicOrigin: TestDorm.publicOrigin, idleLimit: 3600),
            hub: hub, boardCache: BoardSnapshot.cache(store: dorm.store, ttl: .seconds(1)), publicOrigin: TestDorm.publicOrigin)
    }

    /// A connection of `resident` resuming at `since`, past its hello.
    func connect(_ resident: Resident, to hub: LiveHub, since: Int64 = 0, batch: Bool = false) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let admission = LiveAdmission(
            viewer: LiveViewer(.resident(resident), language: .english), since: since, deflate: false, batch: batch)
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        try LiveConnection.install(in: channel.pipeline.syncOperations, admission: admission, live: controller(hub))
        return channel
    }

    /// Runs the channel's loop, then takes what it wrote, read back by NIO's frame decoder.
    func written(_ channel: EmbeddedChannel) throws -> [WebSocketFrame] {
        channel.embeddedEventLoop.run()
        let decoder = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder()))
        while let bytes = try channel.readOutbound(as: ByteBuffer.self) { try decoder.writeInbound(bytes) }
        var frames: [WebSocketFrame] = []
        while let frame = try decoder.readInbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    func seqs(_ frames: [WebSocketFrame]) throws -> [Int64] {
        try frames.filter { $0.opcode == .text }.map { frame in
            // The frames carry stand-in payloads: only the envelope is read.
            let object = try JSONSerialization.jsonObject(with: Data(buffer: frame.data)) as? [String: Any]
            return try #require((object?["seq"] as? NSNumber)?.int64Value)
        }
    }

    func machineEvent(_ seq: Int64) -> Event {
        Event(seq: seq, at: Date(), topic: .board, kind: .machine, payload: Data(#"{"machine":{"id":"W1"}}"#.utf8))
    }

    @Test("a connection whose socket stops taking bytes is closed with 4008 after the allowed frames; another gets every frame")
    func slowConnection() throws {
        let hub = Self.hub(maxFramesBehind: 8)
        let stalled = try connect(residents[0], to: hub)
        let reading = try connect(residents[1], to: hub)
        #expect(try written(stalled).count == 1, "hello")
        _ = try written(reading)
        stalled.isWritable = false
        stalled.pipeline.fireChannelWritabilityChanged()
        var seen: [Int64] = []
        for seq in Int64(1)...20 {
            hub.publish([machineEvent(seq)])
            seen += try seqs(written(reading))
        }
        #expect(seen == Array(1...20))
        let stalledFrames = try written(stalled)
        #expect(try seqs(stalledFrames) == Array(1...8))
        let close = try #require(stalledFrames.last)
        #expect(close.opcode == .connectionClose)
        var code = close.data
        #expect(code.readWebSocketErrorCode() == .unknown(4008))
        hub.publish([machineEvent(21)])
        #expect(try written(stalled).isEmpty, "nothing after the close")
        #expect(try seqs(written(reading)) == [21])
    }

    @Test("a socket that takes bytes again before the limit is not closed")
    func recovers() throws {
        let hub = Self.hub(maxFramesBehind: 8)
        let channel = try connect(residents[0], to: hub)
        _ = try written(channel)
        for round in Int64(0)..<3 {
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            for seq in Int64(1)...8 { hub.publish([machineEvent(round * 8 + seq)]) }
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
        }
        #expect(try seqs(written(channel)) == Array(1...24))
    }

    @Test("a resident's own events reach only their connections, in seq order with the board's")
    func residentTopic() throws {
        let hub = Self.hub()
        let ada = try connect(residents[0], to: hub)
        let bo = try connect(residents[1], to: hub)
        _ = try written(ada)
        _ = try written(bo)
        let alert = Event(
            seq: 2, at: Date(), topic: .resident(residents[0].id), kind: .alertsRead, payload: Data(#"{"ids":null}"#.utf8))
        let published = hub.publish([machineEvent(1), alert, machineEvent(3)])
        #expect(try seqs(written(ada)) == [1, 2, 3])
        #expect(try seqs(written(bo)) == [1, 3])
        #expect(published.unreached.isEmpty)
    }

    @Test(
        "with batch=1, a burst of board frames comes as one batch frame; an alert in between splits it; a resume inside a run gets single frames"
    )
    func batches() throws {
        let hub = Self.hub()
        let batched = try connect(residents[0], to: hub, batch: true)
        let plain = try connect(residents[1], to: hub)
        _ = try written(batched)
        _ = try written(plain)
        let alert = Event(
            seq: 4, at: Date(), topic: .resident(residents[0].id), kind: .alertsRead, payload: Data(#"{"ids":null}"#.utf8))
        hub.publish([machineEvent(1), machineEvent(2), machineEvent(3), alert, machineEvent(5), machineEvent(6)])
        let texts = try written(batched).map { String(buffer: $0.data) }
        #expect(texts.count == 3)
        #expect(texts.first?.hasPrefix(#"{"type":"batch","seq":3,"frames":[{"type":"machine","seq":1,"#) == true)
        #expect(texts.last?.hasPrefix(#"{"type":"batch","seq":6,"frames":[{"type":"machine","seq":5,"#) == true)
        let batch = try JSONSerialization.jsonObject(with: Data(texts[0].utf8)) as? [String: Any]
        #expect((batch?["frames"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [1, 2, 3])
        #expect(try seqs(written(plain)) == [1, 2, 3, 5, 6])

        // Resuming at 5 with the ring holding 1…6: of the last run only 6 is new.
        let resumed = try connect(residents[0], to: hub, since: 5, batch: true)
        let frames = try written(resumed).map { String(buffer: $0.data) }
        #expect(frames.count == 2)
        #expect(frames.first?.contains(#""type":"hello""#) == true)
        #expect(frames.first?.contains(#""seq":6"#) == true, "hello carries the ring's head")
        #expect(frames.last?.hasPrefix(#"{"type":"machine","seq":6,"#) == true)
    }

    @Test("the ring resumes only what it holds: nothing before the tailer's first read, below its floor or past its head")
    func ring() {
        let ring = LiveRing(capacity: 4)
        #expect(ring.frames(after: 0) == nil)
        ring.warm(after: 2, head: 5, oldest: 1, events: (3...5).map(machineEvent))
        #expect(ring.frames(after: 1) == nil)
        #expect(ring.frames(after: 2)?.frames.map(\.seq) == [3, 4, 5])
        #expect(ring.frames(after: 5)?.frames.isEmpty == true)
        #expect(ring.frames(after: 6) == nil, "newer than the tailer has read")
        // Past capacity and a quarter, the oldest go and the floor rises with them.
        ring.append((6...9).map { LiveFrame(machineEvent($0)) }, head: 9)
        #expect(ring.frames(after: 4) == nil)
        #expect(ring.frames(after: 5)?.frames.map(\.seq) == [6, 7, 8, 9])

        // The log pruned before the ring was filled: seqs it no longer holds are not covered.
        let pruned = LiveRing()
        pruned.warm(after: 0, head: 5, oldest: 4, events: (4...5).map(machineEvent))
        #expect(pruned.frames(after: 2) == nil)
        #expect(pruned.frames(after: 3)?.frames.map(\.seq) == [4, 5])
    }

    @Test("shutdown closes every connection with 1001, and one arriving later at once", .timeLimit(.minutes(1)))
    func shutdown() throws {
        let hub = Self.hub()
        let early = try connect(residents[0], to: hub)
        _ = try written(early)
        hub.shutDown()
        let late = try connect(residents[1], to: hub)
        for channel in [early, late] {
            let frames = try written(channel)
            #expect(frames.count == 1, "only the close")
            var data = try #require(frames.last?.data)
            #expect(frames.last?.opcode == .connectionClose)
            #expect(data.readWebSocketErrorCode() == .goingAway)
        }
        #expect(hub.connectionCount == 0)
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("/metrics shows live connections, frames sent, slow-client closes, fan-out latency and HTTP requests")
    func prometheusText() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let port = try #require(client.port)
            try await dorm.live(port: port, token: token) { inbound, outbound in
                var iterator = try await inbound.afterGreeting()
                _ = try await dorm.store.apply(.markBroken(note: "metrics"), toMachine: "W2", at: .currentSecond)
                _ = try await iterator.next()  // the change, through the hub
                try await outbound.close(.normalClosure, reason: nil)
            }
            // One finished HTTP request, so that the HTTP metrics exist even when this test runs alone.
            _ = try await client.execute(uri: "/health", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            for name in [
                "washboard_live_connections", "washboard_live_frames_sent_total", "washboard_live_slow_client_closes_total",
                "washboard_live_fanout_seconds_bucket", "hb_requests",
            ] {
                #expect(text.contains(name), "\(name) in /metrics")
            }
            let sent = text.split(separator: "\n").first { $0.hasPrefix("washboard_live_frames_sent_total ") }
            #expect((sent?.split(separator: " ").last).flatMap { Double($0) } ?? 0 >= 1)
        }
    }
}
