import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The store on one PostgreSQL database, shared by several `serve` instances, cron and the
/// admin CLI.
///
/// - **One writer at a time.** Every transaction that changes the dorm first takes one
///   transaction-level advisory lock, and holds it until it commits. So the rules see the
///   same one-writer world as on SQLite, and the event log has no trap: a transaction gets
///   its `seq` only after the one before it committed (PostgreSQL makes a commit visible
///   before it releases its locks), so a tailer that read past a `seq` never finds a lower
///   one appear later. A rolled-back transaction leaves a hole that never fills, which a
///   tailer reads past.
/// - **Wake-ups.** Appending an event sends `NOTIFY washboard_events` with its `seq`;
///   PostgreSQL delivers it at commit. ``run()`` listens, on every instance,
///   and tells ``commits``: board caches drop stale boards and tailers wake at once. The
///   tailer's poll (``pollInterval``) is only the net for a lost notification.
/// - **The outbox** is claimed with `FOR UPDATE SKIP LOCKED` and leases, outside the writer lock.
///
/// The client's connections need ``run()`` running (a `Service` in `serve`; the commands
/// run it for their duration).
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    public let commits = CommitNotifier()
    /// The lock every writing transaction holds: `pg_advisory_xact_lock` on this key.
    static let writerLock: Int64 = 0x5741_5348_424f_4152  // "WASHBOAR"
    static let eventChannel = "washboard_events"
    private let migrated = Mutex(false)
    /// Writers of this process take turns before they take a connection: only one of them at
    /// a time waits for the writer lock, and the others leave the pool to the readers.
    private let writers = WriterGate()

    /// - Parameter url: `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`.
    public init(url: String, logger: Logger = Logger(label: "washboard.postgres")) throws {
        self.client = PostgresClient(configuration: try Self.configuration(url), backgroundLogger: logger)
        self.logger = logger
    }

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// The client configuration of a `postgres://` URL; the password never appears in an error.
    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard isURL(url), let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else { throw InvalidURL(reason: "expected postgres://user[:password]@host[:port]/database") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw InvalidURL(reason: "the URL names no database") }
        // As libpq: prefer and require encrypt without checking the certificate (Debian's
        // clusters serve a self-signed one); verify-full checks it and the host name.
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(unverified)
        case "require": tls = .require(unverified)
        case "verify-full": tls = .require(.makeClientConfiguration())
        default: throw InvalidURL(reason: "sslmode must be disable, prefer, require or verify-full")
        }
        // URLComponents decodes `user` and `password` already; decode the raw ones once.
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.percentEncodedUser?.removingPercentEncoding ?? user,
            password: components.percentEncodedPassword?.removingPercentEncoding, database: database, tls: tls)
        configuration.options.maximumConnections = 16
        // A session that holds the writer lock and stops talking (its host froze, the network
        // split) is ended by the server after 30 s, so the other writers do not wait for hours.
        // A writer waits for the lock 5 s at most, like SQLite's busy timeout: behind a long
        // admin transaction a request then answers 503 database_busy rather than hanging.
        configuration.options.additionalStartupParameters = [
            ("idle_in_transaction_session_timeout", "30000"), ("lock_timeout", "5000"),
        ]
        return configuration
    }

    /// A failure of the database in words an operator can act on, without the query's
    /// values: they may be secrets (a VAPID key in a setting, a token's hash).
    public struct Failure: Error, CustomStringConvertible {
        /// The SQLSTATE of a server error, e.g. `23505` for a unique violation.
        public var sqlState: String?
        public var description: String

        init(_ error: PSQLError) {
            sqlState = error.serverInfo?[.sqlState]
            if let info = error.serverInfo {
                // Not the message's DETAIL: it quotes the row's values ("Key (token_hash)=(…)").
                let place = [info[.tableName], info[.constraintName]].compactMap { $0 }.joined(separator: ", ")
                description =
                    "PostgreSQL \(info[.sqlState] ?? "error"): \(info[.message] ?? "")" + (place.isEmpty ? "" : " (\(place))")
            } else {
                description = "PostgreSQL: \(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
            }
        }
    }

    /// Runs `body`, saying what a database error was without the query's values.
    func saying<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            throw Failure(error)
        }
    }

    public struct InvalidURL: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "not a usable PostgreSQL URL: \(reason)" }
    }

    /// Keeps the connections and listens for other processes' commits until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.listenForCommits() }
        }
    }

    /// How often a tailer should look for commits it was not told about: notifications
    /// carry them, so this is only the net for one that was lost.
    public var pollInterval: Duration { .seconds(2) }

    private func listenForCommits() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.eventChannel) { notifications in
                        for try await notification in notifications {
                            if let head = Int64(notification.payload) { commits.committed(headSeq: head) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for commits failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Creates the schema, or brings it up to date, once per store: several instances starting
    /// at once take turns under an advisory lock.
    func migrateIfNeeded() async throws {
        guard !migrated.withLock({ $0 }) else { return }
        try await saying {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    // Another instance's migration may take longer than a writer would wait.
                    try await connection.query("SET LOCAL lock_timeout = 0", logger: logger)
                    try await connection.query("SELECT pg_advisory_xact_lock(\(Self.writerLock))", logger: logger)
                    try await connection.query(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL)",
                        logger: logger)
                    var applied = Set<String>()
                    for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger)
                        .decode(String.self)
                    {
                        applied.insert(name)
                    }
                    for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                        // One statement per query: the extended protocol takes no more.
                        for statement in PostgresSchema.statements(of: migration.sql) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), now())", logger: logger)
                    }
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
        migrated.withLock { $0 = true }
    }

    // MARK: Transactions

    /// Runs `body` in a transaction that holds the writer lock, and tells ``commits`` the
    /// new head when it appended events. A dry run rolls back.
    func write<T: Sendable>(dryRun: Bool = false, _ body: (Transaction) async throws -> T) async throws -> T {
        try await migrateIfNeeded()
        await writers.enter()
        do {
            let result = try await writeHoldingGate(dryRun: dryRun, body)
            await writers.leave()
            return result
        } catch {
            await writers.leave()
            throw error
        }
    }

    private func writeHoldingGate<T: Sendable>(dryRun: Bool, _ body: (Transaction) async throws -> T) async throws -> T {
        let (result, head) = try await saying {
            try await client.withConnection { connection in
                let transaction = Transaction(connection: connection, logger: logger)
                try await transaction.execute("BEGIN")
                do {
                    try await transaction.execute(Prepared.LockWriters())
                    let result = try await body(transaction)
                    if dryRun {
                        try await transaction.execute("ROLLBACK")
                        return (result, Int64?.none)
                    }
                    try await transaction.execute("COMMIT")
                    return (result, transaction.appendedHead)
                } catch {
                    try? await transaction.execute("ROLLBACK")
                    throw error
                }
            }
        }
        if let head { commits.committed(headSeq: head) }
        return result
    }

    /// Runs `body` in a transaction without the writer lock: for the outbox, whose rows are
    /// claimed by `FOR UPDATE SKIP LOCKED` and leases, and for reads that must agree.
    func transaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
        try await migrateIfNeeded()
        return try await saying {
            try await client.withConnection { connection in
                let transaction = Transaction(connection: connection, logger: logger)
                try await transaction.execute("BEGIN")
                do {
                    let result = try await body(transaction)
                    try await transaction.execute("COMMIT")
                    return result
                } catch {
                    try? await transaction.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }

    /// Runs `body` on a connection outside any explicit transaction: one-statement reads.
    func read<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
        try await migrateIfNeeded()
        return try await saying {
            try await client.withConnection { connection in try await body(Transaction(connection: connection, logger: logger)) }
        }
    }

    /// One connection's queries, inside or outside a transaction.
    final class Transaction {
        let connection: PostgresConnection
        let logger: Logger
        /// The `seq` of the last event this transaction appended.
        private(set) var appendedHead: Int64?

        init(connection: PostgresConnection, logger: Logger) {
            self.connection = connection
            self.logger = logger
        }

        func execute(_ query: PostgresQuery) async throws {
            try await connection.query(query, logger: logger)
        }

        /// Every row of `query`, made into values by `make`.
        func rows<T>(_ query: PostgresQuery, _ make: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
            try await connection.query(query, logger: logger).collect().map { try make(PostgresRandomAccessRow($0)) }
        }

        /// The first row of `query`, if any.
        func row<T>(_ query: PostgresQuery, _ make: (PostgresRandomAccessRow) throws -> T) async throws -> T? {
            try await rows(query, make).first
        }

        /// The single value of a one-column query, nil when there is no row or it is NULL.
        func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T?
        where T._DecodableType == T {
            try await row(query) { try $0[0].decode(T?.self) } ?? nil
        }

        /// Every row of a prepared statement, made into values by `make`.
        func rows<T>(_ statement: some PreparedStatement, _ make: (PostgresRandomAccessRow) throws -> T) async throws -> [T] {
            var values: [T] = []
            for try await row in try await connection.execute(statement, logger: logger) {
                values.append(try make(PostgresRandomAccessRow(row)))
            }
            return values
        }

        /// The first row of a prepared statement, if any.
        func row<T>(_ statement: some PreparedStatement, _ make: (PostgresRandomAccessRow) throws -> T) async throws -> T? {
            try await rows(statement, make).first
        }

        func execute(_ statement: some PreparedStatement) async throws {
            _ = try await rows(statement) { _ in () }
        }

        /// How many rows `query` returned: for an `UPDATE … RETURNING 1` that claims rows.
        func count(_ query: PostgresQuery) async throws -> Int {
            try await connection.query(query, logger: logger).collect().count
        }

        /// Appends an event in this transaction, and in the same statement its notification,
        /// which PostgreSQL delivers at commit.
        @discardableResult
        func appendEvent(topic: Event.Topic, kind: Event.Kind, payload: some Encodable, at now: Date) async throws -> Int64 {
            try await append(Prepared.AppendEvent(at: now, topic: topic, kind: kind, payload: try Self.json(payload)))
        }

        /// Runs a statement that appends an event and answers its `seq`.
        @discardableResult
        func append(_ statement: some PreparedStatement) async throws -> Int64 {
            let seq = try await row(statement) { try $0[0].decode(Int64.self) }
            appendedHead = seq
            return seq ?? 0
        }

        static func json(_ payload: some Encodable) throws -> String {
            String(decoding: try DomainJSON.encoder().encode(payload), as: UTF8.self)
        }
    }
}

extension PostgresStore: EventLog {
    public func events(after seq: Int64, limit: Int) async throws -> [Event] {
        try await read { db in
            try await db.rows(Prepared.EventsAfter(seq: seq, limit: limit)) { try Event(postgres: $0) }
        }
    }

    public func headSeq() async throws -> Int64 {
        try await read { try await Self.headSeq($0) }
    }

    static func headSeq(_ db: Transaction) async throws -> Int64 {
        try await db.value("SELECT max(seq) FROM events", as: Int64.self) ?? 0
    }

    public func oldestRetainedSeq() async throws -> Int64? {
        try await read { db in try await db.value("SELECT min(seq) FROM events", as: Int64.self) }
    }
}

extension PostgresStore: SettingsStore {
    public func setting(_ key: SettingKey) async throws -> String? {
        try await read { db in try await Self.setting(db, key) }
    }

    static func setting(_ db: Transaction, _ key: SettingKey) async throws -> String? {
        try await db.value("SELECT value FROM settings WHERE key = \(key.rawValue)", as: String.self)
    }

    public func setSetting(_ key: SettingKey, to value: String) async throws {
        try await write { db in
            try await db.execute(
                "INSERT INTO settings (key, value) VALUES (\(key.rawValue), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
        }
    }

    public func removeSetting(_ key: SettingKey) async throws {
        try await write { db in try await db.execute("DELETE FROM settings WHERE key = \(key.rawValue)") }
    }

    public func addSetting(_ key: SettingKey, value: String) async throws -> Bool {
        try await write { db in
            try await db.count(
                "INSERT INTO settings (key, value) VALUES (\(key.rawValue), \(value)) ON CONFLICT (key) DO NOTHING RETURNING 1")
                == 1
        }
    }
}

/// One at a time, first come first served: an async lock for the writers of one process.
actor WriterGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
