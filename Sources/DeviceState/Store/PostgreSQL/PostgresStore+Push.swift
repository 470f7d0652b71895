import Foundation
import PostgresNIO

extension PostgresStore: PushSubscriptionStore {
    public func addPushSubscription(
        residentId: String, endpoint: String, p256dh: String, auth: String, at now: Date
    ) async throws -> PushSubscriptionRecord {
        try await write { db in
            _ = try await Self.resident(db, residentId)
            if var existing = try await db.row(
                "SELECT \(unescaped: PushSubscriptionRecord.postgresColumns) FROM push_subscriptions WHERE endpoint = \(endpoint)",
                PushSubscriptionRecord.init(postgres:))
            {
                existing.residentId = residentId
                existing.p256dh = p256dh
                existing.auth = auth
                try await db.execute(
                    """
                    UPDATE push_subscriptions SET resident_id = \(residentId), p256dh = \(p256dh), auth = \(auth)
                    WHERE id = \(existing.id)
                    """)
                return existing
            }
            let count =
                try await db.value("SELECT count(*) FROM push_subscriptions WHERE resident_id = \(residentId)", as: Int.self) ?? 0
            try PushSubscriptionRecord.checkRoom(besides: count)
            let record = PushSubscriptionRecord(
                id: Secrets.newShortID(), residentId: residentId, endpoint: endpoint, p256dh: p256dh, auth: auth,
                createdAt: now)
            try await db.execute(
                """
                INSERT INTO push_subscriptions (id, resident_id, endpoint, p256dh, auth, created_at)
                VALUES (\(record.id), \(residentId), \(endpoint), \(p256dh), \(auth), \(now))
                """)
            return record
        }
    }

    public func removePushSubscription(endpoint: String, of residentId: String, at now: Date) async throws -> Bool {
        try await write { db in
            guard
                let id = try await db.value(
                    "SELECT id FROM push_subscriptions WHERE endpoint = \(endpoint) AND resident_id = \(residentId)",
                    as: String.self)
            else { return false }
            try await Self.deleteSubscription(db, id: id, reason: .pushResidentUnsubscribed, at: now)
            return true
        }
    }

    public func removeAllPushSubscriptions(reason: Message, at now: Date) async throws -> Int {
        try await write { db in
            let ids = try await db.rows("SELECT id FROM push_subscriptions") { try $0.text("id") }
            for id in ids { try await Self.deleteSubscription(db, id: id, reason: reason, at: now) }
            return ids.count
        }
    }

    public func pushSubscriptions(of residentId: String) async throws -> [PushSubscriptionRecord] {
        try await read { db in
            try await db.rows(
                """
                SELECT \(unescaped: PushSubscriptionRecord.postgresColumns) FROM push_subscriptions
                WHERE resident_id = \(residentId) ORDER BY created_at
                """, PushSubscriptionRecord.init(postgres:))
        }
    }

    /// Settles the subscription's pending messages as gone, then deletes it; its rows stay, unlinked.
    static func deleteSubscription(_ db: Transaction, id: String, reason: Message, at now: Date) async throws {
        try await db.execute(
            """
            UPDATE push_outbox SET state = 'gone', last_error = \(reason.text()), settled_at = \(now), lease_owner = NULL,
                lease_until = NULL
            WHERE subscription_id = \(id) AND state = 'pending'
            """)
        try await db.execute("DELETE FROM push_subscriptions WHERE id = \(id)")
    }

    /// Queues `draft` once for each subscription of its resident.
    /// One message per subscription of the resident, except failing ones (``PushSubscriptionRecord/isFailing(newestSettled:)``).
    static func enqueue(_ draft: PushDraft, _ db: Transaction, at now: Date) async throws -> [PushOutboxEntry] {
        let subscriptions = try await db.rows(
            """
            SELECT \(unescaped: PushSubscriptionRecord.postgresColumns) FROM push_subscriptions
            WHERE resident_id = \(draft.residentId) ORDER BY created_at
            """, PushSubscriptionRecord.init(postgres:))
        var entries: [PushOutboxEntry] = []
        for subscription in subscriptions {
            let newestSettled = try await db.rows(
                """
                SELECT state FROM push_outbox WHERE resident_id = \(draft.residentId) AND subscription_id = \(subscription.id)
                    AND state <> 'pending' ORDER BY settled_at DESC LIMIT \(PushSubscriptionRecord.failingAfter)
                """, { try $0.text("state") })
            guard
                !PushSubscriptionRecord.isFailing(newestSettled: newestSettled.compactMap(PushOutboxEntry.State.init(rawValue:)))
            else { continue }
            let entry = PushOutboxEntry(
                id: Secrets.newShortID(), subscriptionId: subscription.id, residentId: draft.residentId,
                endpointOrigin: PushOutboxEntry.origin(of: subscription.endpoint), alertId: draft.alertId,
                payload: draft.payload, urgency: draft.urgency, topic: draft.topic, createdAt: now,
                expiresAt: draft.expiresAt, state: .pending, attempts: 0, nextAttemptAt: now)
            try await db.execute(
                """
                INSERT INTO push_outbox (id, subscription_id, resident_id, endpoint_origin, alert_id, payload, urgency, topic,
                    created_at, expires_at, state, attempts, next_attempt_at)
                VALUES (\(entry.id), \(entry.subscriptionId), \(entry.residentId), \(entry.endpointOrigin), \(entry.alertId),
                    \(entry.payload), \(entry.urgency.rawValue), \(entry.topic), \(now), \(entry.expiresAt), 'pending', 0, \(now))
                """)
            entries.append(entry)
        }
        return entries
    }
}

extension PostgresStore: PushOutbox {
    public func enqueuePush(_ draft: PushDraft, at now: Date) async throws -> [PushOutboxEntry] {
        try await transaction { db in try await Self.enqueue(draft, db, at: now) }
    }

    /// Rows are locked `FOR UPDATE SKIP LOCKED`: workers on several instances claim
    /// different rows at the same moment instead of waiting for each other.
    public func claimDuePushes(
        owner: String, leaseFor: TimeInterval, limit: Int, ids: [String]?, at now: Date
    ) async throws -> [ClaimedPush] {
        try await transaction { db in
            try await db.execute(
                """
                UPDATE push_outbox SET state = 'expired', settled_at = \(now), lease_owner = NULL, lease_until = NULL,
                    last_error = coalesce(last_error, \(Message.pushExpiredUnsent.text()))
                WHERE id IN (
                    SELECT id FROM push_outbox WHERE state = 'pending' AND expires_at <= \(now)
                        AND (lease_until IS NULL OR lease_until <= \(now))
                    FOR UPDATE SKIP LOCKED)
                """)
            let leaseUntil = now.addingTimeInterval(leaseFor)
            let onlyThese = ids.map { _ in "AND id = ANY($4)" } ?? ""
            var query = PostgresQuery(
                unsafeSQL: """
                    UPDATE push_outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
                    WHERE id IN (
                        SELECT id FROM push_outbox
                        WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
                            \(onlyThese)
                        ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                    RETURNING \(PushOutboxEntry.postgresColumns)
                    """)
            query.binds.append(owner)
            query.binds.append(leaseUntil)
            query.binds.append(now)
            if let ids { query.binds.append(ids) }
            let leased = try await db.rows(query, PushOutboxEntry.init(postgres:)).sorted { $0.nextAttemptAt < $1.nextAttemptAt }
            var claimed: [ClaimedPush] = []
            for entry in leased {
                guard let subscriptionId = entry.subscriptionId,
                    let subscription = try await db.row(
                        """
                        SELECT \(unescaped: PushSubscriptionRecord.postgresColumns) FROM push_subscriptions
                        WHERE id = \(subscriptionId)
                        """, PushSubscriptionRecord.init(postgres:))
                else {
                    try await db.execute(
                        "UPDATE push_outbox SET state = 'gone', settled_at = \(now), lease_owner = NULL WHERE id = \(entry.id)")
                    continue
                }
                claimed.append(ClaimedPush(entry: entry, subscription: subscription))
            }
            return claimed
        }
    }

    /// Outside the writer lock, but for a gone subscription: deleting it must not race
    /// `addPushSubscription` of the same endpoint, which runs under the lock.
    public func settlePushes(_ outcomes: [PushOutcome], owner: String) async throws -> [String] {
        let deletesSubscriptions = outcomes.contains { if case .gone = $0.settlement { true } else { false } }
        let settle: (Transaction) async throws -> [String] = { db in
            var lost: [String] = []
            for outcome in outcomes {
                if try await !Self.settle(outcome, owner: owner, db) { lost.append(outcome.id) }
            }
            return lost
        }
        return deletesSubscriptions ? try await write(settle) : try await transaction(settle)
    }

    private static func settle(_ outcome: PushOutcome, owner: String, _ db: Transaction) async throws -> Bool {
        guard
            let entry = try await db.row(
                """
                SELECT \(unescaped: PushOutboxEntry.postgresColumns) FROM push_outbox
                WHERE id = \(outcome.id) AND lease_owner = \(owner) AND state = 'pending' FOR UPDATE
                """, PushOutboxEntry.init(postgres:))
        else { return false }
        let (id, now) = (outcome.id, outcome.at)
        func settle(_ state: PushOutboxEntry.State, _ status: Int?, _ error: String?) async throws {
            try await db.execute(
                """
                UPDATE push_outbox SET state = \(state.rawValue), last_status = \(status), last_error = \(error),
                    settled_at = \(now), lease_owner = NULL, lease_until = NULL WHERE id = \(id)
                """)
        }
        switch outcome.settlement {
        case .delivered(let status):
            try await settle(.delivered, status, nil)
        case .failed(let status, let reason):
            try await settle(.failed, status, reason)
        case .gone(let status):
            try await settle(.gone, status, Message.pushSubscriptionUnknownToService.text())
            if let subscriptionId = entry.subscriptionId {
                try await deleteSubscription(db, id: subscriptionId, reason: .pushSubscriptionGone, at: now)
            }
        case .retry(let at, let status, let reason) where at >= entry.expiresAt:
            try await settle(.expired, status, reason)
        case .retry(let at, let status, let reason):
            try await db.execute(
                """
                UPDATE push_outbox SET next_attempt_at = \(at), last_status = \(status), last_error = \(reason),
                    lease_owner = NULL, lease_until = NULL WHERE id = \(id)
                """)
        }
        return true
    }

    public func pushOutbox(state: PushOutboxEntry.State?, residentId: String?, limit: Int) async throws -> [PushOutboxEntry] {
        try await read { db in
            try await db.rows(
                """
                SELECT \(unescaped: PushOutboxEntry.postgresColumns) FROM push_outbox
                WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                    AND (\(residentId)::text IS NULL OR resident_id = \(residentId))
                ORDER BY created_at DESC, id COLLATE "C" LIMIT \(limit)
                """, PushOutboxEntry.init(postgres:))
        }
    }

    public func pushOutboxEntries(ids: [String]) async throws -> [PushOutboxEntry] {
        try await read { db in
            try await db.rows(
                "SELECT \(unescaped: PushOutboxEntry.postgresColumns) FROM push_outbox WHERE id = ANY(\(ids))",
                PushOutboxEntry.init(postgres:))
        }
    }

    public func nextPushDue() async throws -> Date? {
        try await read { db in
            try await db.value(
                "SELECT min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) FROM push_outbox WHERE state = 'pending'",
                as: Date.self)
        }
    }

    public func pushOutboxCounts() async throws -> [PushOutboxEntry.State: Int] {
        try await read { db in try await Self.pushOutboxCounts(db, createdIn: Date.distantPast..<Date.distantFuture) }
    }

    static func pushOutboxCounts(_ db: Transaction, createdIn period: Range<Date>) async throws -> [PushOutboxEntry.State: Int] {
        let rows = try await db.rows(
            """
            SELECT state, count(*) AS n FROM push_outbox
            WHERE created_at >= \(period.lowerBound) AND created_at < \(period.upperBound) GROUP BY state
            """
        ) { (state: try $0.text("state"), count: try $0["n"].decode(Int.self)) }
        var counts: [PushOutboxEntry.State: Int] = [:]
        for row in rows { if let state = PushOutboxEntry.State(rawValue: row.state) { counts[state] = row.count } }
        return counts
    }
}
