import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import Testing

@testable import UsageApp

/// Tests that run the real `washboard` binary as separate processes on one database file.
@Suite("washboard as processes")
struct ProcessTests {
    @Test("a use acknowledged with 201 is there after the server is killed with SIGKILL and started again")
    func durability() async throws {
        let folder = try TestFolder()
        let db = folder.databasePath
        #expect(
            try await washboard("admin", "machine", "add", "W1", "--kind", "washer", "--location", "Hall A", "--db", db).status
                == 0)
        let added = try await washboard("admin", "resident", "add", "--name", "Ada", "--room", "101", "--json", "--db", db)
        let code =
            try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])["code"] as? String

        let server = try await ServerProcess(databasePath: db)
        let useId: String = try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
            let token = try await enroll(client, code: try #require(code))
            let start = try await client.post("/api/machines/W1/uses", headers: .json(token), body: ByteBuffer())
            #expect(start.head.status == .created)
            return try DomainJSON.decoder().decode(Use.self, from: start.bodyData).id
        }
        await server.stop(signal: SIGKILL)

        let restarted = try await ServerProcess(databasePath: db)
        let list = try await washboard("admin", "machine", "list", "--json", "--db", db)
        let machines = try DomainJSON.decoder().decode([MachineStatus].self, from: Data(list.stdout.utf8))
        #expect(machines.first?.use?.id == useId)
        await restarted.stop(signal: SIGTERM)
        #expect(restarted.process.terminationStatus == 0, "SIGTERM is a clean shutdown")
    }

    @Test("a machine marked broken by the admin CLI shows on GET /api/board within the cache TTL")
    func brokenFromCLIReachesBoard() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let ttl = Duration.seconds(1)
        try await dorm.withServer(boardTTL: ttl) { client in
            let before = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token)).decode(Board.self)
            #expect(before.machines.first { $0.machine.id == "W1" }?.machine.state == .idle)

            let cli = try await washboard(
                "admin", "machine", "broken", "W1", "--note", "door seal leaking", "--db", dorm.folder.databasePath)
            #expect(cli.status == 0, "\(cli.stderr)")
            let changed = ContinuousClock.now

            var seen: MachineStatus?
            while ContinuousClock.now < changed + ttl + .milliseconds(500) {
                let board = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token)).decode(Board.self)
                seen = board.machines.first { $0.machine.id == "W1" }
                if seen?.machine.state == .broken { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(seen?.machine.state == .broken)
            #expect(seen?.machine.stateNote == "door seal leaking")
        }
    }

    @Test("serve --demo fills an empty database with the demo dorm and prints a working enrollment link")
    func demo() async throws {
        let folder = try TestFolder()
        let server = try await ServerProcess(databasePath: folder.databasePath, extraArguments: ["--demo"])
        let log = server.log
        let code = try #require(log.split(separator: "\n").first { $0.contains("code:") }?.split(separator: " ").last)
        #expect(log.contains("/join#code=\(code)"))
        try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
            let token = try await enroll(client, code: String(code))
            let response = try await client.get("/api/board", headers: .bearer(token))
            let board = try DomainJSON.decoder().decode(Board.self, from: response.bodyData)
            let now = Date()
            #expect(board.machines.count >= 8)
            #expect(Set(board.machines.map(\.machine.kind)).isSuperset(of: [.washer, .dryer]))
            #expect(Set(board.machines.map(\.machine.location)).count >= 2)
            #expect(board.machines.contains { $0.machine.state == .broken && $0.machine.stateNote?.isEmpty == false })
            #expect(board.machines.contains { $0.use.map { !$0.isDone(at: now) } ?? false }, "one running")
            #expect(board.machines.contains { $0.use?.isDone(at: now) ?? false }, "one done, awaiting pickup")
            #expect(board.notices.contains { $0.isLive(at: now) })
        }
        await server.stop(signal: SIGTERM)

        let again = try await ServerProcess(databasePath: folder.databasePath, extraArguments: ["--demo"])
        #expect(again.log.contains("code:"), "a second start prints a fresh code for the same dorm")
        await again.stop(signal: SIGTERM)
        let list = try await washboard("admin", "machine", "list", "--json", "--db", folder.databasePath)
        #expect(try DomainJSON.decoder().decode([MachineStatus].self, from: Data(list.stdout.utf8)).count == 10)
    }

    struct Session: Decodable { var token: String }

    /// Redeems an enrollment code over HTTP and returns the bearer token.
    func enroll(_ client: TestClient, code: String) async throws -> String {
        let response = try await client.post("/api/session", headers: .json(), body: ByteBuffer(string: #"{"code":"\#(code)"}"#))
        #expect(response.head.status == .created)
        return try JSONDecoder().decode(Session.self, from: response.bodyData).token
    }
}

@Suite("washboard serve shutting down")
struct ShutdownTests {
    @Test("SIGTERM with 100 open sockets: every client sees 1001 and the process exits within 5 s")
    func sigtermClosesSockets() async throws {
        let folder = try TestFolder()
        let db = folder.databasePath
        let added = try await washboard("admin", "resident", "add", "--name", "Ada", "--room", "101", "--json", "--db", db)
        let code =
            try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])["code"] as? String
        // One resident's hundred sockets: past the default cap per resident.
        let server = try await ServerProcess(databasePath: db, extraArguments: ["--max-live-per-resident", "100"])
        let token = try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
            try await ProcessTests().enroll(client, code: try #require(code))
        }

        let sockets = 100
        let ready = Counter()
        let allReady = Gate()
        let closes = try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            for _ in 0..<sockets {
                group.addTask {
                    try await WebSocketClient.connect(
                        url: "ws://127.0.0.1:\(server.port)/ws",
                        configuration: .init(maxFrameSize: 1 << 16, additionalHeaders: [.authorization: "Bearer \(token)"]),
                        logger: Logger(label: "washboard.test.ws")
                    ) { inbound, _, _ in
                        var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                        _ = try await iterator.next()  // hello: the connection is live
                        if ready.increment() == sockets { await allReady.open() }
                        while try await iterator.next() != nil {}
                    }
                }
            }
            await allReady.wait()
            let signalled = ContinuousClock.now
            await server.stop(signal: SIGTERM)
            #expect(ContinuousClock.now - signalled < .seconds(5), "exited within 5 s")
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(closes.count == sockets)
        #expect(closes.allSatisfy { $0?.closeCode == .goingAway }, "\(closes.map { $0.map { "\($0.closeCode)" } ?? "none" })")
        #expect(server.process.terminationStatus == 0)
    }
}

extension ShutdownTests {
    @Test(
        "SIGTERM while a connection is open but silent (a browser's spare one): the process still exits within 5 s",
        .timeLimit(.minutes(1)))
    func sigtermWithASilentConnection() async throws {
        let folder = try TestFolder()
        let server = try await ServerProcess(databasePath: folder.databasePath)
        let silent = try SilentConnection(port: server.port)
        defer { silent.close() }
        // A request on another connection proves the server has accepted and set up the silent one.
        let health = try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
            try await client.get("/health").status
        }
        #expect(health == .ok)
        let signalled = ContinuousClock.now
        await server.stop(signal: SIGTERM)
        #expect(ContinuousClock.now - signalled < .seconds(5), "exited within 5 s")
        #expect(server.process.terminationStatus == 0)
    }
}

/// A TCP connection to the server that never sends a byte.
struct SilentConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try connectToLoopback(fd, port: port)
    }

    func close() { Glibc.close(fd) }
}

/// Counts up from zero.
final class Counter: Sendable {
    private let value = Mutex(0)
    /// Adds one and returns the new count.
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

/// Lets waiters through once opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
