import Foundation
import GRDB
import Logging

/// The store on one SQLite file, shared by the server, the reconciler and the admin CLI.
///
/// - WAL, so readers never wait for the writer and other processes can write meanwhile;
/// - `synchronous=FULL`: a commit is on disk when it returns, so an acknowledged write
///   survives a power cut, not only a crash;
/// - every write transaction is `BEGIN IMMEDIATE` (GRDB 7 does so for writes), so a writer waits for the lock up to
///   `busy_timeout` instead of failing when another process committed first;
/// - foreign keys on.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    public let commits = CommitNotifier()
    /// The path of the database file.
    public let path: String

    /// Opens (creating when missing) and migrates the database at `path`.
    public init(path: String, busyTimeout: TimeInterval = 5) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        self.path = path
        let isNew = !FileManager.default.fileExists(atPath: path)
        self.pool = try DatabasePool(path: path, configuration: configuration)
        // The file holds hashed tokens, push subscription keys and the VAPID private key:
        // readable by its owner only. SQLite gives -wal and -shm files it creates later the same mode.
        if isNew {
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
            }
        }
        // GRDB sets NORMAL on the writer when it enables WAL, after `prepareDatabase` runs:
        // set FULL here, on the one connection that commits. (NORMAL survives a crash of the
        // process but may lose the last commits on a power cut.)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try Self.migrate(pool)
    }

    /// Two processes opening a new file at once both try to migrate it; the loser's
    /// migration fails on the tables the winner created, and finds the work done.
    private static func migrate(_ pool: DatabasePool) throws {
        let migrator = Schema.migrator
        do {
            try migrator.migrate(pool)
        } catch {
            guard try pool.read({ try migrator.hasCompletedMigrations($0) }) else { throw error }
        }
    }

    /// Runs `body` in a write transaction and tells ``commits`` the new head of the log.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let (result, head) = try await pool.write { db in
            let result = try body(db)
            return (result, try Self.headSeq(db))
        }
        commits.committed(headSeq: head)
        return result
    }

    /// Like ``write(_:)``, in an IMMEDIATE transaction that a dry run rolls back.
    func write<T: Sendable>(dryRun: Bool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard dryRun else { return try await write(body) }
        return try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .rollback
            }
            return result!
        }
    }

    static func headSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM events ORDER BY seq DESC LIMIT 1")) ?? 0
    }

    /// Appends an event in the caller's transaction.
    @discardableResult
    static func appendEvent(
        _ db: Database, topic: Event.Topic, kind: Event.Kind, payload: some Encodable, at now: Date
    ) throws -> Int64 {
        let json = try DomainJSON.encoder().encode(payload)
        try db.cachedStatement(sql: "INSERT INTO events (at, topic, type, payload) VALUES (?, ?, ?, ?)")
            .execute(arguments: [now, topic.description, kind.rawValue, String(decoding: json, as: UTF8.self)])
        return db.lastInsertedRowID
    }
}

extension SQLiteStore: EventLog {
    /// Other processes (the admin CLI, cron) commit without telling this one.
    public var pollInterval: Duration { .milliseconds(250) }

    public func events(after seq: Int64, limit: Int) async throws -> [Event] {
        try await pool.read { db in
            try Event.fetchAll(
                db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit])
        }
    }

    public func headSeq() async throws -> Int64 {
        try await pool.read { try Self.headSeq($0) }
    }

    public func oldestRetainedSeq() async throws -> Int64? {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT min(seq) FROM events") }
    }
}

extension SQLiteStore: SettingsStore {
    public func setting(_ key: SettingKey) async throws -> String? {
        try await pool.read { db in try Self.setting(db, key) }
    }

    public func setSetting(_ key: SettingKey, to value: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key.rawValue, value])
        }
    }

    public func removeSetting(_ key: SettingKey) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [key.rawValue]) }
    }

    public func addSetting(_ key: SettingKey, value: String) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                arguments: [key.rawValue, value])
            return db.changesCount == 1
        }
    }

    static func setting(_ db: Database, _ key: SettingKey) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key.rawValue])
    }
}

extension SQLiteStore {
    /// The settings of a writer connection as SQLite reports them, for `admin` diagnostics and tests.
    public struct ConnectionSettings: Sendable {
        public var journalMode: String
        /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        public var synchronous: Int
        public var foreignKeys: Bool
        public var busyTimeoutMilliseconds: Int
    }

    public func connectionSettings() async throws -> ConnectionSettings {
        try await pool.write { db in
            ConnectionSettings(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                foreignKeys: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                busyTimeoutMilliseconds: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0)
        }
    }
}
