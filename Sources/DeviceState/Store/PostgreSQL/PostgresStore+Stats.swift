import Foundation
import PostgresNIO

extension PostgresStore: StatsStore {
    public func stats(since: Date, at now: Date, timeZone: TimeZone) async throws -> DormStats {
        try await transaction { db in
            try await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            let uses = try await db.rows(
                """
                SELECT \(unescaped: Use.postgresColumns) FROM uses
                WHERE started_at >= \(since) AND started_at < \(now) ORDER BY started_at
                """, { try Use(postgres: $0) })
            let outages = try await db.rows(
                """
                SELECT machine_id, note, started_at, ended_at FROM machine_outages
                WHERE started_at < \(now) AND (ended_at IS NULL OR ended_at > \(since)) ORDER BY started_at
                """, Outage.init(postgres:))
            let active = Set(uses.map(\.machineId)).union(outages.map(\.machineId))
            let onBoard = Set(try await db.rows("SELECT id FROM machines WHERE removed_at IS NULL") { try $0.text("id") })
            let machines = try await Self.machineStatuses(db, includingRemoved: true).map(\.machine)
                .filter { onBoard.contains($0.id) || active.contains($0.id) }
            let push = try await Self.pushOutboxCounts(db, createdIn: since..<now)
            return DormStats(
                since: since, until: now, timeZone: timeZone, machines: machines, uses: uses, outages: outages, push: push)
        }
    }
}
