import Foundation
import PostgresNIO

extension PostgresStore: ReconcilerStore {
    public func reconcileUses(at now: Date, policy: ReconcilerPolicy, dryRun: Bool) async throws -> ReconcileSummary {
        try await write(dryRun: dryRun) { db in
            var summary = ReconcileSummary()
            let open = try await db.rows(
                "SELECT \(unescaped: Use.postgresColumns) FROM uses WHERE closed_at IS NULL ORDER BY ends_at",
                { try Use(postgres: $0) }
            )
            for use in open {
                let machine = try await Self.machineStatus(db, use.machineId).machine
                let cycleDoneAlertedAt = try await db.value(
                    "SELECT at FROM alerts WHERE dedupe_key = \(Alert.cycleDoneKey(useId: use.id))", as: Date.self)
                let schedule = UseSchedule(
                    use: use, machine: machine, cycleDoneAlertedAt: cycleDoneAlertedAt, at: now, policy: policy)
                if schedule.autoRelease {
                    _ = try await Self.apply(db, .autoRelease, machineId: use.machineId, at: now)
                    summary.autoReleased += 1
                }
                for alert in schedule.alerts {
                    guard try await Self.createAlert(db, alert) else { continue }
                    switch alert.kind {
                    case .endingSoon: summary.endingSoon += 1
                    case .cycleDone: summary.cycleDone += 1
                    case .pickupReminder: summary.pickupReminders += 1
                    default: break
                    }
                }
            }
            summary.holdsEnded = try await Self.endHolds(db, at: now)
            return summary
        }
    }

    public func reconcileNotices(at now: Date, dryRun: Bool) async throws -> (published: Int, expired: Int) {
        try await write(dryRun: dryRun) { db in
            var counts = (published: 0, expired: 0)
            let due = try await db.rows(
                """
                SELECT \(unescaped: Notice.postgresColumns) FROM notices
                WHERE announced_at IS NULL AND retracted_at IS NULL AND publish_at <= \(now)
                    AND (expires_at IS NULL OR expires_at > \(now))
                """, Notice.init(postgres:))
            for notice in due {
                if try await Self.announce(notice, db, at: now) { counts.published += 1 }
            }
            let expired = try await db.rows(
                """
                UPDATE notices SET expiry_announced_at = \(now)
                WHERE announced_at IS NOT NULL AND expiry_announced_at IS NULL AND retracted_at IS NULL AND expires_at <= \(now)
                RETURNING id
                """
            ) { try $0.text("id") }
            for id in expired.sorted() {
                try await db.appendEvent(topic: .board, kind: .noticeRemoved, payload: EventPayload.Removed(id: id), at: now)
                counts.expired += 1
            }
            return counts
        }
    }

    public func prune(before cutoffs: Retention.Cutoffs) async throws -> PruneCounts {
        try await write { db in
            var counts = PruneCounts()
            // Counted in the database: the deleted rows need not travel.
            counts.events =
                try await db.value(
                    """
                    WITH deleted AS (DELETE FROM events WHERE at < \(cutoffs.events) AND seq < (SELECT max(seq) FROM events)
                        RETURNING 1)
                    SELECT count(*) FROM deleted
                    """, as: Int.self) ?? 0
            counts.settledPushes =
                try await db.value(
                    """
                    WITH deleted AS (DELETE FROM push_outbox WHERE state <> 'pending' AND settled_at < \(cutoffs.settledPushes)
                        RETURNING 1)
                    SELECT count(*) FROM deleted
                    """, as: Int.self) ?? 0
            // Gone subscriptions, kept for the device list as long as their messages.
            counts.settledPushes +=
                try await db.value(
                    "WITH d AS (DELETE FROM push_subscriptions WHERE gone_at < \(cutoffs.settledPushes) RETURNING 1) SELECT count(*) FROM d",
                    as: Int.self) ?? 0
            counts.idempotencyKeys =
                try await db.value(
                    """
                    WITH deleted AS (DELETE FROM idempotency_keys WHERE created_at < \(cutoffs.idempotencyKeys) RETURNING 1)
                    SELECT count(*) FROM deleted
                    """, as: Int.self) ?? 0
            counts.alerts =
                try await db.value(
                    "WITH deleted AS (DELETE FROM alerts WHERE at < \(cutoffs.alerts) RETURNING 1) SELECT count(*) FROM deleted",
                    as: Int.self) ?? 0
            let history = cutoffs.history
            // Each counted in the database, as above.
            for query: PostgresQuery in [
                "WITH d AS (DELETE FROM pickup_requests WHERE created_at < \(history) RETURNING 1) SELECT count(*) FROM d",
                """
                WITH d AS (DELETE FROM uses WHERE closed_at < \(history) AND id NOT IN (SELECT use_id FROM pickup_requests)
                    RETURNING 1)
                SELECT count(*) FROM d
                """,
                "WITH d AS (DELETE FROM reports WHERE resolved_at < \(history) RETURNING 1) SELECT count(*) FROM d",
                "WITH d AS (DELETE FROM machine_outages WHERE ended_at < \(history) RETURNING 1) SELECT count(*) FROM d",
                """
                WITH d AS (DELETE FROM notices WHERE coalesce(retracted_at, expires_at) < \(history) RETURNING 1)
                SELECT count(*) FROM d
                """,
                """
                WITH d AS (DELETE FROM sessions WHERE coalesce(last_seen_at, created_at) < \(history) RETURNING 1)
                SELECT count(*) FROM d
                """,
                "WITH d AS (DELETE FROM enrollment_codes WHERE expires_at < \(history) RETURNING 1) SELECT count(*) FROM d",
                "WITH d AS (DELETE FROM waitlist WHERE expires_at < \(history) RETURNING 1) SELECT count(*) FROM d",
            ] {
                counts.history += try await db.value(query, as: Int.self) ?? 0
            }
            return counts
        }
    }
}
