import Foundation
import GRDB

/// One host: its clock is the database's.
extension SQLiteStore: PresenceStore {
    public func reportPresence(instance: String, residents: Set<String>) async throws {
        let now = Date()
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM instances WHERE reportedAt < ?", arguments: [now.addingTimeInterval(-3600)])
            try db.execute(
                sql:
                    "INSERT INTO instances (id, reportedAt) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET reportedAt = excluded.reportedAt",
                arguments: [instance, now])
            try db.execute(sql: "DELETE FROM presence WHERE instanceId = ?", arguments: [instance])
            let insert = try db.cachedStatement(sql: "INSERT INTO presence (instanceId, residentId) VALUES (?, ?)")
            for resident in residents { try insert.execute(arguments: [instance, resident]) }
        }
    }

    public func presentResidents(among ids: Set<String>, elsewhereThan instance: String, heardWithin seconds: TimeInterval)
        async throws -> Set<String>
    {
        guard !ids.isEmpty else { return [] }
        let since = Date().addingTimeInterval(-seconds)
        return try await pool.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT presence.residentId FROM presence JOIN instances ON instances.id = presence.instanceId
                        WHERE presence.residentId IN (\(databaseQuestionMarks(count: ids.count)))
                            AND instances.id != ? AND instances.reportedAt >= ?
                        """,
                    arguments: StatementArguments(Array(ids)) + [instance, since]))
        }
    }

    public func withdrawPresence(instance: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM instances WHERE id = ?", arguments: [instance]) }
    }
}
