import Foundation
import PostgresNIO

/// Outside the writer lock: an instance writes only its own rows. `now()` is the database's.
extension PostgresStore: PresenceStore {
    public func reportPresence(instance: String, residents: Set<String>) async throws {
        try await transaction { db in
            try await db.execute("DELETE FROM instances WHERE reported_at < now() - interval '1 hour'")
            try await db.execute(
                """
                INSERT INTO instances (id, reported_at) VALUES (\(instance), now())
                ON CONFLICT (id) DO UPDATE SET reported_at = excluded.reported_at
                """)
            try await db.execute("DELETE FROM presence WHERE instance_id = \(instance)")
            if !residents.isEmpty {
                try await db.execute(
                    "INSERT INTO presence (instance_id, resident_id) SELECT \(instance), unnest(\(Array(residents)))")
            }
        }
    }

    public func presentResidents(among ids: Set<String>, elsewhereThan instance: String, heardWithin seconds: TimeInterval)
        async throws -> Set<String>
    {
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            Set(
                try await db.rows(
                    """
                    SELECT DISTINCT presence.resident_id FROM presence JOIN instances ON instances.id = presence.instance_id
                    WHERE presence.resident_id = ANY(\(Array(ids))) AND instances.id <> \(instance)
                        AND instances.reported_at >= now() - make_interval(secs => \(seconds))
                    """
                ) { try $0.text("resident_id") })
        }
    }

    public func withdrawPresence(instance: String) async throws {
        try await transaction { db in try await db.execute("DELETE FROM instances WHERE id = \(instance)") }
    }
}
