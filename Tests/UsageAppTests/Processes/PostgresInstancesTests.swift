import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Notify
import PostgresTestCluster
import Synchronization
import Testing
import WebPushTestService

@testable import UsageApp

/// A dorm on a PostgreSQL database of the test cluster, with a store of the test's own
/// (running while the test runs) and machines W1 and W2.
final class PostgresDorm: Sendable {
    let url: String
    let store: PostgresStore
    private let runner: Task<Void, Never>

    init() async throws {
        url = try await PostgresTestCluster.shared.newDatabase()
        let store = try PostgresStore(url: url)
        self.store = store
        runner = Task { await store.run() }
        for id in ["W1", "W2"] {
            _ = try await store.addMachine(
                Machine(
                    id: id, kind: .washer, label: "Washer \(id)", location: "Hall A", cycleMinutes: 45, updatedAt: .currentSecond)
            )
        }
    }

    /// A new resident with a session; their id and bearer token.
    func resident(_ name: String) async throws -> (id: String, token: String) {
        let (_, code) = try await store.addResident(name: name, room: "101", codeValidFor: 3600, at: .currentSecond)
        let (resident, token) = try await store.redeemEnrollmentCode(code.code, at: .currentSecond)
        return (resident.id, token)
    }

    /// `count` servers on this database.
    func servers(_ count: Int, extraArguments: [String] = []) async throws -> [ServerProcess] {
        try await withThrowingTaskGroup(of: ServerProcess.self) { group in
            for _ in 0..<count {
                group.addTask { try await ServerProcess(databasePath: self.url, extraArguments: extraArguments) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    deinit { runner.cancel() }
}

/// Runs when the run tests PostgreSQL (`WASHBOARD_TEST_BACKENDS=postgres`, as `scripts/test` does).
@Suite(
    "Several servers on one PostgreSQL database",
    .enabled(if: (ProcessInfo.processInfo.environment["WASHBOARD_TEST_BACKENDS"] ?? "").contains("postgres")),
    .timeLimit(.minutes(2)))
struct PostgresInstancesTests {
    @Test("three servers: a change made through A reaches sockets on B and C within a second")
    func fanOutAcrossInstances() async throws {
        let dorm = try await PostgresDorm()
        let ada = try await dorm.resident("Ada")
        let servers = try await dorm.servers(3)
        let (ready, readiness) = AsyncStream.makeStream(of: Void.self)
        let latencies = try await withThrowingTaskGroup(of: Duration?.self) { group in
            let started = Shared<ContinuousClock.Instant?>(nil)
            for server in servers.dropFirst() {
                group.addTask {
                    let latency = Shared<Duration?>(nil)
                    defer { readiness.yield() }  // a socket that failed early must not leave the test waiting
                    try await openLive(port: server.port, token: ada.token) { inbound, outbound in
                        var messages = try await inbound.afterGreeting()
                        readiness.yield()
                        while let message = try await messages.next() {
                            guard case .text(let text) = message, text.contains(#""state":"in_use""#) else { continue }
                            let arrived = ContinuousClock.now
                            latency.withLock { $0 = started.withLock { $0 }.map { arrived - $0 } }
                            break
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    return latency.withLock { $0 }
                }
            }
            var iterator = ready.makeAsyncIterator()
            for _ in 0..<2 { await iterator.next() }
            try await TestClient.withClient(host: "127.0.0.1", port: servers[0].port) { client in
                started.withLock { $0 = .now }
                let response = try await client.post(
                    "/api/machines/W1/uses", headers: .json(ada.token), body: ByteBuffer(string: "{}"))
                #expect(response.head.status == .created)
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(latencies.count == 2)
        for latency in latencies {
            let latency = try #require(latency)
            #expect(latency < .seconds(1), "\(latency)")
        }
        for server in servers { await server.stop(signal: SIGTERM) }
    }

    @Test("500 changes from another process; the client's server is killed: it resumes on another with since, every seq once")
    func killedInstance() async throws {
        let dorm = try await PostgresDorm()
        let ada = try await dorm.resident("Ada")
        let servers = try await dorm.servers(3)
        let start = try await dorm.store.headSeq()
        let changes = 500
        let writer = Task {
            for index in 0..<changes {
                try Task.checkCancellation()
                let command: MachineCommand = index.isMultiple(of: 2) ? .markBroken(note: "check \(index)") : .markRepaired
                _ = try await dorm.store.apply(command, toMachine: "W2", at: .currentSecond)
            }
        }
        defer { writer.cancel() }
        let received = Received()
        // On A until it dies a hundred frames in, then on B from the last seq it had.
        try? await openLive(port: servers[0].port, token: ada.token, query: "?since=\(start)") { inbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                if try received.append(text).seq ?? 0 >= start + 100 { await servers[0].stop(signal: SIGKILL) }
            }
        }
        #expect(servers[0].process.wasSignalled)
        let resumeFrom = received.all.compactMap(\.seq).max() ?? start
        try await openLive(port: servers[1].port, token: ada.token, query: "?since=\(resumeFrom)") { inbound, outbound in
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                if try received.append(text).seq ?? 0 >= start + Int64(changes) { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        try await writer.value
        let seqs = received.all.filter { $0.type == "machine" }.compactMap(\.seq)
        #expect(seqs == Array((start + 1)...(start + Int64(changes))))
        #expect(!received.all.contains { $0.type == "board" }, "since was inside the log both times")
        for server in servers.dropFirst() { await server.stop(signal: SIGTERM) }
    }

    @Test("washboard reconcile on three hosts at once: every alert once, every release once")
    func reconcileEverywhere() async throws {
        let dorm = try await PostgresDorm()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        // Minutes since each 45-minute use started: ending soon, done, released.
        for (index, minutes) in [42.0, 50, 170].enumerated() {
            _ = try await dorm.store.addMachine(
                Machine(id: "M\(index)", kind: .washer, label: "M\(index)", location: "Hall A", cycleMinutes: 45, updatedAt: at))
            let resident = try await dorm.resident("R\(index)")
            _ = try await dorm.store.startUse(
                StartUseRequest(machineId: "M\(index)", residentId: resident.id), at: at.addingTimeInterval(-minutes * 60))
        }
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for _ in 0..<3 { group.addTask { try await washboard("reconcile", "--now", at.iso8601, "--db", dorm.url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let alerts = try await dorm.store.events(after: 0, limit: 1000).filter { $0.kind == .alert }
        #expect(alerts.count == 3, "one ending_soon, one cycle_done, one use_closed for the release")
        #expect(try await dorm.store.machine("M2").machine.state == .idle)
        #expect(results.filter { $0.stdout.contains("1 auto-released") }.count == 1)
    }

    @Test("an outbox of 1,000 messages drained by three workers on three connections: each delivered once")
    func outboxDrainedByThree() async throws {
        let dorm = try await PostgresDorm()
        let ada = try await dorm.resident("Ada")
        _ = try await VAPIDConfiguration.generate(
            subject: try VAPIDSubject("mailto:laundry@dorm.example"), replacing: false, in: dorm.store)
        try await TestPushService.withService { service in
            let phone = service.subscriber()
            _ = try await dorm.store.addPushSubscription(
                residentId: ada.id, endpoint: phone.endpoint, p256dh: phone.p256dh, auth: phone.auth, at: Date())
            for index in 0..<1000 {
                _ = try await dorm.store.enqueuePush(
                    PushDraft(
                        residentId: ada.id, payload: #"{"n":\#(index)}"#, urgency: .normal, topic: nil,
                        expiresAt: Date().addingTimeInterval(600)), at: Date())
            }
            let port = String(service.origin.split(separator: ":").last!)
            let policy = PushEndpointPolicy(allowedHosts: ["127.0.0.1:\(port)"], allowsInsecureLoopback: true)
            var quiet = Logger(label: "washboard.test.push")
            quiet.logLevel = .critical
            let logger = quiet
            let sent = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await DatabaseOptions.withStore(at: dorm.url) { store in
                            let sender = PushSender(policy: policy, logger: logger)
                            let delivery = PushDelivery(
                                store: store, sender: sender, batchSize: 50, concurrency: 8, logger: logger)
                            var sent = 0
                            while true {
                                let reports = try await delivery.deliverDue()
                                sent += reports.count
                                if reports.isEmpty { break }
                            }
                            try await sender.shutdown()
                            return sent
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(sent.reduce(0, +) == 1000)
            #expect(sent.allSatisfy { $0 > 0 }, "all three workers took a share: \(sent)")
            let payloads = service.log.compactMap { $0.plaintext.map { String(decoding: $0, as: UTF8.self) } }
            #expect(payloads.count == 1000 && Set(payloads).count == 1000, "each once")
            #expect(try await dorm.store.pushOutboxCounts() == [.delivered: 1000])
        }
    }

    @Test("an alert sent live to a socket whose server is killed before the ack reaches the resident by push")
    func alertSurvivesItsServer() async throws {
        let dorm = try await PostgresDorm()
        let ada = try await dorm.resident("Ada")
        let bob = try await dorm.resident("Bob")
        _ = try await dorm.store.startUse(
            StartUseRequest(machineId: "W1", residentId: ada.id), at: Date().addingTimeInterval(-50 * 60))
        _ = try await VAPIDConfiguration.generate(
            subject: try VAPIDSubject("mailto:laundry@dorm.example"), replacing: false, in: dorm.store)
        try await TestPushService.withService { service in
            let phone = service.subscriber()
            _ = try await dorm.store.addPushSubscription(
                residentId: ada.id, endpoint: phone.endpoint, p256dh: phone.p256dh, auth: phone.auth, at: Date())
            let port = String(service.origin.split(separator: ":").last!)
            let servers = try await dorm.servers(
                3,
                extraArguments: [
                    "--push-allow", "127.0.0.1:\(port)", "--push-allow-insecure-loopback", "--alert-ack-timeout", "3",
                    "--no-reconciler",  // its cycle_done for Ada would be another alert
                ])
            // Ada's only open app is on A, which shows her the alert and dies before she acks it.
            let shown = Shared<Date?>(nil)
            try? await openLive(port: servers[0].port, token: ada.token) { inbound, _ in
                var messages = try await inbound.afterGreeting()
                // A reports her within 100 ms of her connecting; B and C must know before the alert.
                while try await dorm.store.presentResidents(among: [ada.id], elsewhereThan: "test", heardWithin: 15).isEmpty {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await TestClient.withClient(host: "127.0.0.1", port: servers[1].port) { client in
                    let response = try await client.post(
                        "/api/machines/W1/pickup-requests", headers: .json(bob.token), body: ByteBuffer())
                    #expect(response.head.status == .accepted)
                }
                while let message = try await messages.next() {
                    guard case .text(let text) = message, text.contains(#""type":"alert""#) else { continue }
                    shown.withLock { $0 = Date() }
                    await servers[0].stop(signal: SIGKILL)
                }
            }
            var pushes = service.received.makeAsyncIterator()
            let push = try #require(await pushes.next())
            let payload = try JSONDecoder().decode(AlertPush.Payload.self, from: try #require(push.plaintext))
            #expect(push.delivered && push.subscriberId == phone.id && payload.kind == .pickupRequest)
            // Her app on A was open: B and C waited for the ack timeout (3 s; alert times are
            // whole seconds) instead of pushing at once.
            let wait = push.at.timeIntervalSince(try #require(shown.withLock { $0 }))
            #expect(wait >= 2, "\(wait) s")
            for server in servers.dropFirst() { await server.stop(signal: SIGTERM) }
            #expect(service.log.count == 1, "once")
        }
    }
}

/// A value tasks share.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}

@Suite(
    "washboard admin migrate (PostgreSQL)",
    .enabled(if: (ProcessInfo.processInfo.environment["WASHBOARD_TEST_BACKENDS"] ?? "").contains("postgres")),
    .timeLimit(.minutes(2)))
struct PostgresMigrateTests {
    @Test("SQLite → PostgreSQL → SQLite: the same board, the same log, every table's rows; a non-empty target is refused")
    func roundTrip() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident("Ada")
        let bob = try await dorm.resident("Bob")
        let now = Date.currentSecond
        let store = dorm.store
        _ = try await store.startUse(
            StartUseRequest(machineId: "W1", residentId: ada.id, idempotencyKey: "k1"), at: now.addingTimeInterval(-50 * 60))
        _ = try await store.requestPickup(machineId: "W1", by: bob.id, at: now)
        _ = try await store.markMachine("W2", broken: "drum stuck", postingNotice: true, at: now)
        _ = try await store.reportProblem(machineId: "W2", by: bob.id, text: "smells of smoke", at: now)
        _ = try await store.setPreferences(Preferences(mutedAlertKinds: [.endingSoon]), of: ada.id)
        _ = try await store.addPushSubscription(
            residentId: ada.id, endpoint: "https://fcm.googleapis.com/fcm/send/ada", p256dh: "k", auth: "a", at: now)
        _ = try await store.enqueuePush(
            PushDraft(residentId: ada.id, payload: "{}", urgency: .high, topic: "t", expiresAt: now + 60), at: now)
        try await store.setSetting(.defaultQuietHours, to: #"{"end":"07:00","start":"22:00"}"#)
        let before = try await store.exportDorm()

        let postgres = try await PostgresTestCluster.shared.newDatabase()
        let there = try await washboard("admin", "migrate", "--from", dorm.folder.databasePath, "--to", postgres, "--json")
        #expect(there.status == 0, "\(there.stderr)")
        let back = dorm.folder.url.appendingPathComponent("back.sqlite").path
        let again = try await washboard("admin", "migrate", "--from", postgres, "--to", back)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("the event log ends at seq \(before.events.last?.seq ?? 0)"), "\(again.stdout)")

        let returned = try SQLiteStore(path: back)
        let after = try await returned.exportDorm()
        #expect(after.rowCounts == before.rowCounts)
        #expect(after.events == before.events)
        #expect(try await returned.board(at: now) == (try await store.board(at: now)))
        let alertsAfter: [Alert] = after.alerts.map(\.alert).sorted { $0.id < $1.id }
        let alertsBefore: [Alert] = before.alerts.map(\.alert).sorted { $0.id < $1.id }
        #expect(alertsAfter == alertsBefore)
        #expect(after.idempotencyKeys.map(\.response) == before.idempotencyKeys.map(\.response))
        #expect(try await returned.preferences(of: ada.id) == Preferences(mutedAlertKinds: [.endingSoon]))

        // The PostgreSQL copy goes on numbering events after the ones it brought.
        try await DatabaseOptions.withStore(at: postgres) { copy in
            let status = try await copy.apply(.markRepaired, toMachine: "W2", at: now)
            #expect(status.machine.state == .idle)
            // The repair appends Bob's "working again" alert and the machine's change.
            let last = before.events.last?.seq ?? 0
            #expect(try await copy.events(after: last, limit: 10).map(\.seq) == [last + 1, last + 2])
        }

        let refused = try await washboard("admin", "migrate", "--from", dorm.folder.databasePath, "--to", postgres)
        #expect(refused.status == 65 && refused.stderr.contains("not empty"), "\(refused.stderr)")
        let missing = try await washboard("admin", "migrate", "--from", "/nonexistent.sqlite", "--to", back)
        #expect(missing.status == 66, "\(missing.stderr)")
    }
}

@Suite(
    "nginx in front of several servers",
    .enabled(if: (ProcessInfo.processInfo.environment["WASHBOARD_TEST_BACKENDS"] ?? "").contains("postgres")),
    .timeLimit(.minutes(2)))
struct PostgresNginxTests {
    /// `docs/nginx/` of this checkout.
    static let configFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/nginx")

    @Test("docs/nginx/washboard-proxy.conf in front of three servers: REST and /ws pass, a dead server is skipped")
    func proxied() async throws {
        let dorm = try await PostgresDorm()
        let ada = try await dorm.resident("Ada")
        let servers = try await dorm.servers(3)
        let folder = try TestFolder()
        let port = try PostgresTestCluster.freePort()
        // washboard.conf's upstream and map, with the test's ports, and a plain-HTTP server on loopback.
        let shipped = try String(contentsOf: Self.configFolder.appendingPathComponent("washboard.conf"), encoding: .utf8)
        var upstream = String(
            shipped[shipped.range(of: "upstream washboard {")!.lowerBound..<shipped.range(of: "server {")!.lowerBound])
        for (server, shippedPort) in zip(servers, [8081, 8082, 8083]) {
            upstream = upstream.replacingOccurrences(of: "127.0.0.1:\(shippedPort)", with: "127.0.0.1:\(server.port)")
        }
        let proxy = Self.configFolder.appendingPathComponent("washboard-proxy.conf").path
        let configuration = """
            pid \(folder.url.path)/nginx.pid;
            error_log \(folder.url.path)/error.log;
            events {}
            http {
                access_log \(folder.url.path)/access.log;
                client_body_temp_path \(folder.url.path);
                proxy_temp_path \(folder.url.path);
                \(upstream)
                server {
                    listen 127.0.0.1:\(port);
                    include \(proxy);
                }
            }
            """
        let nginx = try await NginxProcess(configuration: configuration, in: folder, port: port)

        defer { nginx.terminate() }
        #expect(try await NginxProcess.status(of: "http://127.0.0.1:\(port)/api/board", token: ada.token, in: folder) == 200)
        await servers[0].stop(signal: SIGKILL)
        for _ in 0..<6 {
            let status = try await NginxProcess.status(of: "http://127.0.0.1:\(port)/health", in: folder)
            #expect(status == 200, "the next instance answers")
        }
        let log = folder.url.appendingPathComponent("access.log")
        let (ready, readiness) = AsyncStream.makeStream(of: Void.self)
        let saw = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                defer { readiness.finish() }
                do {
                    try await openLive(port: port, token: ada.token) { inbound, outbound in
                        var messages = try await inbound.afterGreeting()
                        readiness.yield()
                        while let message = try await messages.next() {
                            if case .text(let text) = message, text.contains(#""state":"broken""#) { break }
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    return true
                } catch {
                    let logs = ["access.log", "error.log"].map {
                        (try? String(contentsOf: folder.url.appendingPathComponent($0), encoding: .utf8)) ?? ""
                    }
                    Issue.record("\(error); nginx: \(logs.joined(separator: "\n"))")
                    return false
                }
            }
            var iterator = ready.makeAsyncIterator()
            if await iterator.next() != nil {
                _ = try await dorm.store.apply(.markBroken(note: "behind nginx"), toMachine: "W2", at: .currentSecond)
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        #expect(saw, "the live board passes nginx: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")

        await nginx.stop()
        for server in servers.dropFirst() { await server.stop(signal: SIGTERM) }
    }

    @Test("docs/nginx/washboard.conf passes nginx -t, with certificates in place")
    func shippedConfigurationIsValid() async throws {
        let folder = try TestFolder()
        let certificate = folder.url.appendingPathComponent("cert.pem").path
        let key = folder.url.appendingPathComponent("key.pem").path
        try await NginxProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=laundry.example.org",
                "-keyout", key, "-out", certificate,
            ], in: folder)
        let shipped = try String(contentsOf: Self.configFolder.appendingPathComponent("washboard.conf"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/letsencrypt/live/laundry.example.org/fullchain.pem", with: certificate)
            .replacingOccurrences(of: "/etc/letsencrypt/live/laundry.example.org/privkey.pem", with: key)
            .replacingOccurrences(
                of: "/etc/nginx/washboard-proxy.conf", with: Self.configFolder.appendingPathComponent("washboard-proxy.conf").path
            )
        let site = folder.url.appendingPathComponent("washboard.conf")
        try shipped.write(to: site, atomically: true, encoding: .utf8)
        let main = folder.url.appendingPathComponent("nginx.conf")
        try """
        pid \(folder.url.path)/nginx.pid;
        error_log \(folder.url.path)/error.log;
        events {}
        http { include \(site.path); }
        """.write(to: main, atomically: true, encoding: .utf8)
        try await NginxProcess.run("/usr/sbin/nginx", ["-t", "-q", "-p", folder.url.path, "-c", main.path], in: folder)
    }
}

/// nginx as a child process on `port`, with `configuration` as its whole configuration.
final class NginxProcess: Sendable {
    let process: ChildProcess

    init(configuration: String, in folder: TestFolder, port: Int) async throws {
        let file = folder.url.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            "/usr/sbin/nginx", ["-p", folder.url.path, "-c", file.path, "-g", "daemon off; master_process off;"])
        self.process = process
        // Listening once a connection is accepted.
        let deadline = ContinuousClock.now + .seconds(10)
        while !(try await Self.accepts(port)), ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw Failure(
                    description: (try? String(contentsOf: folder.url.appendingPathComponent("error.log"), encoding: .utf8))
                        ?? "nginx exited")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard try await Self.accepts(port) else {
            terminate()
            throw Failure(description: "nginx did not listen on \(port) within 10 s")
        }
    }

    deinit { terminate() }

    private static func accepts(_ port: Int) async throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return (try? connectToLoopback(fd, port: port)) != nil
    }

    func stop() async {
        terminate()
        await process.waitForExit()
    }

    /// SIGKILL: nginx without a master process takes its time over SIGTERM.
    func terminate() {
        process.signal(SIGKILL)
    }

    /// The status of a GET through nginx, by curl (an HTTP client that sends `Host`).
    static func status(of url: String, token: String? = nil, in folder: TestFolder) async throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        return Int(try await run("/usr/bin/curl", arguments + [url], in: folder)) ?? 0
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a command to its end and returns its output; on failure, the output is in the error.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], in folder: TestFolder) async throws -> String {
        let output = folder.url.appendingPathComponent("output-\(UUID().uuidString)")
        let status = try await ChildProcess(path, arguments, output: output.path).waitForExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure(description: "\(path): \(text)") }
        return text
    }
}
