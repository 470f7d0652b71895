import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
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
        let hub = LiveHub(mailboxCapacity: 64)
        // A small send buffer, so the stalled socket fills after kilobytes, not the kernel's 4 MB.
        try await dorm.withServer(hub: hub, socketSendBufferBytes: 4096) { client in
            let port = try #require(client.port)
            let start = try await dorm.store.headSeq()
            let slow = try RawWebSocket(port: port, token: token)
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
            let code = slow.readCloseCode()
            #expect(code == nil || code == 4008, "its stream ends; with 4008 if the close frame got through the full socket")
        }
    }

    @Test("a subscriber that stops taking frames overflows (the connection closes with 4008); another gets every frame")
    func slowSubscriber() async throws {
        let hub = LiveHub(mailboxCapacity: 8)
        let (_, stalled) = hub.subscribe(residentId: "r1")
        let (_, reading) = hub.subscribe(residentId: "r2")
        var seen: [Int64] = []
        for seq in Int64(1)...20 {
            hub.publish([Event(seq: seq, at: Date(), topic: .board, kind: .machine, payload: Data("{}".utf8))])
            if case .frame(let frame) = await reading.next() { seen.append(frame.seq) }
        }
        #expect(seen == Array(1...20))
        guard case .overflowed = await stalled.next() else {
            Issue.record("the stalled mailbox should have overflowed")
            return
        }
        // A resident's own events reach only them.
        hub.publish([Event(seq: 21, at: Date(), topic: .resident("r1"), kind: .alert, payload: Data("{}".utf8))])
        hub.publish([Event(seq: 22, at: Date(), topic: .board, kind: .machine, payload: Data("{}".utf8))])
        if case .frame(let frame) = await reading.next() { #expect(frame.seq == 22) }
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

@Suite("Live hub")
struct LiveHubTests {
    @Test(
        "a connection arriving after shutdown began is told to go away at once, not kept open", .timeLimit(.minutes(1)))
    func subscribeDuringShutdown() async {
        let hub = LiveHub()
        let (_, early) = hub.subscribe(residentId: "a")
        hub.shutDown()
        let (_, late) = hub.subscribe(residentId: "b")
        for mailbox in [early, late] {
            guard case .shutdown = await mailbox.next() else {
                Issue.record("the mailbox should be shut down")
                continue
            }
        }
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
