import Foundation
import GRDB

extension SQLiteStore: StatsStore {
    /// The room's statistics from `since` to `now`, in one read: machines on the board and
    /// removed ones that were used or broken in the period; uses started in it; outages
    /// overlapping it; push notifications queued in it (as far back as push history is kept).
    public func stats(since: Date, at now: Date, timeZone: TimeZone) async throws -> DormStats {
        try await pool.read { db in
            let uses = try Use.fetchAll(
                db, sql: "SELECT * FROM uses WHERE startedAt >= ? AND startedAt < ? ORDER BY startedAt",
                arguments: [since, now])
            let outages = try Outage.fetchAll(
                db,
                sql: """
                    SELECT machineId, note, startedAt, endedAt FROM machine_outages
                    WHERE startedAt < ? AND (endedAt IS NULL OR endedAt > ?) ORDER BY startedAt
                    """,
                arguments: [now, since])
            let active = Set(uses.map(\.machineId)).union(outages.map(\.machineId))
            let onBoard = Set(try String.fetchAll(db, sql: "SELECT id FROM machines WHERE removedAt IS NULL"))
            let machines = try Self.machineStatuses(db, includingRemoved: true).map(\.machine)
                .filter { onBoard.contains($0.id) || active.contains($0.id) }
            let push = try Self.pushOutboxCounts(db, createdIn: since..<now)
            return DormStats(
                since: since, until: now, timeZone: timeZone, machines: machines, uses: uses, outages: outages, push: push)
        }
    }
}
