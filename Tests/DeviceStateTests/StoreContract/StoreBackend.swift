import DeviceState
import Foundation
import PostgresTestCluster
import Synchronization
import Testing

/// A backend the store contract suite runs against. Every contract test takes one as its
/// argument; a new backend is one more case here, and must pass the suite unchanged.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends of this run: `$WASHBOARD_TEST_BACKENDS` (e.g. `sqlite,postgres`), else
    /// SQLite. `scripts/test` runs the whole suite on SQLite, then the contract suite on
    /// PostgreSQL in a run of its own, so that the database server's load does not slow
    /// the timing tests of the first.
    static let underTest: [StoreBackend] = {
        let names = ProcessInfo.processInfo.environment["WASHBOARD_TEST_BACKENDS"] ?? "sqlite"
        return names.split(separator: ",").map { name in
            guard let backend = StoreBackend(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                fatalError("WASHBOARD_TEST_BACKENDS names an unknown backend: \(name)")
            }
            return backend
        }
    }()

    /// A fresh, empty database on this backend.
    func open() async throws -> TestDatabase {
        switch self {
        case .sqlite: try SQLiteTestDatabase()
        case .postgres: try await PostgresTestDatabase()
        }
    }
}

/// A database for one test, removed when the test ends.
protocol TestDatabase: Sendable {
    var store: any WashboardStore { get }
    /// Another store on the same database, as another process (the CLI, cron, a second server) opens it.
    func another() throws -> any WashboardStore
}

/// A fresh SQLite file in a temporary folder, removed with its WAL files when the test ends.
final class SQLiteTestDatabase: TestDatabase {
    let folder: URL
    let path: String
    let sqlite: SQLiteStore
    var store: any WashboardStore { sqlite }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("washboard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("test.sqlite").path
        sqlite = try SQLiteStore(path: path)
    }

    func another() throws -> any WashboardStore { try SQLiteStore(path: path) }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A new database on the test process's PostgreSQL cluster (see PostgresTestCluster), its
/// stores running until the test ends.
final class PostgresTestDatabase: TestDatabase {
    let url: String
    let postgres: PostgresStore
    private let runners = Mutex<[Task<Void, Never>]>([])
    var store: any WashboardStore { postgres }

    init() async throws {
        url = try await PostgresTestCluster.shared.newDatabase()
        postgres = try PostgresStore(url: url)
        running(postgres)
    }

    func another() throws -> any WashboardStore { running(try PostgresStore(url: url)) }

    @discardableResult
    private func running(_ store: PostgresStore) -> PostgresStore {
        runners.withLock { $0.append(Task { await store.run() }) }
        return store
    }

    deinit {
        for runner in runners.withLock({ $0 }) { runner.cancel() }
    }
}

let testNow = Date(timeIntervalSince1970: 1_790_000_000)
let utc = TimeZone(identifier: "UTC")!

extension MachineStore {
    @discardableResult
    func addTestMachine(_ id: String, kind: Machine.Kind = .washer, location: String = "Hall A", minutes: Int = 45) async throws
        -> MachineStatus
    {
        try await addMachine(
            Machine(id: id, kind: kind, label: "Machine \(id)", location: location, cycleMinutes: minutes, updatedAt: testNow))
    }
}

extension ResidentStore where Self: SessionStore {
    /// A resident with a session; returns the resident and the bearer token.
    func addTestResident(_ name: String = "Ada", room: String = "101") async throws -> (Resident, String) {
        let (_, code) = try await addResident(name: name, room: room, codeValidFor: 3600, at: testNow)
        return try await redeemEnrollmentCode(code.code, at: testNow)
    }
}

extension PushSubscriptionStore {
    /// A device of the resident's at the FCM endpoint `name`.
    @discardableResult
    func addTestSubscription(for residentId: String, _ name: String = "phone", at now: Date = testNow) async throws
        -> PushSubscriptionRecord
    {
        try await addPushSubscription(
            residentId: residentId, endpoint: "https://fcm.googleapis.com/fcm/send/\(name)", p256dh: "k", auth: "a", at: now)
    }
}

extension Notice {
    /// A notice about W1 for tests, live from `publishAt`.
    static func test(
        _ text: String = "Hall A washers off for repairs", severity: Severity = .outage, machineIds: [String] = ["W1"],
        publishAt: Date = testNow, expiresAt: Date? = nil, push: Bool = false, urgent: Bool = false
    ) -> Notice {
        Notice(
            id: UUID().uuidString.lowercased(), text: text, severity: severity, machineIds: machineIds, publishAt: publishAt,
            expiresAt: expiresAt, push: push, urgent: urgent, createdAt: testNow)
    }
}

/// A stand-in for Notify's `AlertPush.draft` (DeviceState does not see Notify): the payload
/// records what the router decided, so a test can read it back from the outbox.
struct TestDrafting {
    struct Payload: Codable, Equatable {
        var alert: String
        var kind: Alert.Kind
        var silent: Bool
        var urgent: Bool
    }

    @Sendable static func draft(_ routed: RoutedAlert, at now: Date) throws -> PushDraft {
        let payload = Payload(alert: routed.alert.id, kind: routed.alert.kind, silent: routed.silent, urgent: routed.urgent)
        return PushDraft(
            residentId: routed.alert.residentId, alertId: routed.alert.id,
            payload: String(decoding: try JSONEncoder().encode(payload), as: UTF8.self),
            urgency: routed.urgent ? .high : .normal, topic: routed.alert.machineId.map { "machine-\($0)" },
            expiresAt: now.addingTimeInterval(3600))
    }

    /// What the outbox holds, oldest first.
    static func payloads(in outbox: some PushOutbox) async throws -> [Payload] {
        try await outbox.pushOutbox(state: nil, residentId: nil, limit: 1000).reversed().map {
            try JSONDecoder().decode(Payload.self, from: Data($0.payload.utf8))
        }
    }
}

extension AlertStore {
    /// Routes with ``TestDrafting`` on the dorm's clock in UTC.
    @discardableResult
    func route(createdBefore cutoff: Date, ids: [String]? = nil, at now: Date) async throws -> [RoutedAlert] {
        try await routeAlerts(createdBefore: cutoff, ids: ids, timeZone: utc, at: now, drafting: TestDrafting.draft)
    }
}

extension Event {
    /// The `alert` object of an alert event's payload.
    var payloadAlert: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: payload) as? [String: Any])?["alert"] as? [String: Any]
    }

    var payloadAlertId: String? { payloadAlert?["id"] as? String }

    /// The `kind` of an alert event's payload.
    var payloadKind: String { payloadAlert?["kind"] as? String ?? "" }
}

extension EventLog {
    /// What happened to the notices on the boards: every board event but machine changes.
    func noticeEventKinds() async throws -> [Event.Kind] {
        try await events(after: 0, limit: 1000).filter { $0.topic == .board && $0.kind != .machine }.map(\.kind)
    }

    /// The kinds of the alerts the log holds for one resident, oldest first.
    func alertKinds(of residentId: String) async throws -> [Alert.Kind] {
        try await events(after: 0, limit: 1000).compactMap { event -> Alert.Kind? in
            guard event.topic == .resident(residentId), event.kind == .alert else { return nil }
            return Alert.Kind(rawValue: event.payloadKind)
        }
    }
}

/// What `body` returned or threw.
func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
