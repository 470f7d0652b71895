import Foundation
import GRDB

extension SQLiteStore: ReconcilerStore {
    /// One IMMEDIATE transaction. Alerts are inserted by dedupe key (`INSERT … ON CONFLICT DO
    /// NOTHING`) and uses are closed through the state machine, which refuses to close a
    /// closed use: two passes at once, in this process or another, create each alert and
    /// release each use once.
    public func reconcileUses(at now: Date, policy: ReconcilerPolicy, dryRun: Bool) async throws -> ReconcileSummary {
        try await write(dryRun: dryRun) { db in
            var summary = ReconcileSummary()
            let open = try Use.fetchAll(db, sql: "SELECT * FROM uses WHERE closedAt IS NULL ORDER BY endsAt")
            for use in open {
                let machine = try Self.machineStatus(db, use.machineId).machine
                let cycleDoneAlertedAt = try Date.fetchOne(
                    db.cachedStatement(sql: "SELECT at FROM alerts WHERE dedupeKey = ?"),
                    arguments: [Alert.cycleDoneKey(useId: use.id)])
                let schedule = UseSchedule(
                    use: use, machine: machine, cycleDoneAlertedAt: cycleDoneAlertedAt, at: now, policy: policy)
                if schedule.autoRelease {
                    _ = try Self.apply(db, .autoRelease, machineId: use.machineId, at: now)
                    summary.autoReleased += 1
                }
                for alert in schedule.alerts {
                    guard try Self.createAlert(db, alert) else { continue }
                    switch alert.kind {
                    case .endingSoon: summary.endingSoon += 1
                    case .cycleDone: summary.cycleDone += 1
                    case .pickupReminder: summary.pickupReminders += 1
                    default: break
                    }
                }
            }
            summary.holdsEnded = try Self.endHolds(db, at: now)
            return summary
        }
    }

    public func prune(before cutoffs: Retention.Cutoffs) async throws -> PruneCounts {
        try await write { db in
            var counts = PruneCounts()
            try db.execute(
                sql: "DELETE FROM events WHERE at < ? AND seq < (SELECT max(seq) FROM events)", arguments: [cutoffs.events])
            counts.events = db.changesCount
            try db.execute(
                sql: "DELETE FROM push_outbox WHERE state != 'pending' AND settledAt < ?", arguments: [cutoffs.settledPushes])
            counts.settledPushes = db.changesCount
            // Gone subscriptions, kept for the device list as long as their messages.
            try db.execute(sql: "DELETE FROM push_subscriptions WHERE goneAt < ?", arguments: [cutoffs.settledPushes])
            counts.settledPushes += db.changesCount
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE createdAt < ?", arguments: [cutoffs.idempotencyKeys])
            counts.idempotencyKeys = db.changesCount
            try db.execute(sql: "DELETE FROM alerts WHERE at < ?", arguments: [cutoffs.alerts])
            counts.alerts = db.changesCount
            for sql in [
                "DELETE FROM pickup_requests WHERE createdAt < ?",
                "DELETE FROM uses WHERE closedAt < ? AND id NOT IN (SELECT useId FROM pickup_requests)",
                "DELETE FROM reports WHERE resolvedAt < ?",
                "DELETE FROM machine_outages WHERE endedAt < ?",
                "DELETE FROM notices WHERE coalesce(retractedAt, expiresAt) < ?",
                "DELETE FROM sessions WHERE coalesce(lastSeenAt, createdAt) < ?",
                "DELETE FROM enrollment_codes WHERE expiresAt < ?",
                "DELETE FROM waitlist WHERE expiresAt < ?",
            ] {
                try db.execute(sql: sql, arguments: [cutoffs.history])
                counts.history += db.changesCount
            }
            return counts
        }
    }
}
