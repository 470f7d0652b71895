import Foundation
import PostgresNIO

extension PostgresStore: PushSubscriptionStore {
    public func addPushSubscription(
        residentId: String, endpoint: String, p256dh: String, auth: String, language: Language?, at now: Date
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
                // Subscribed again: whatever the push service said of it before starts over.
                existing.goneAt = nil
                existing.consecutiveFailures = 0
                try await db.execute(
                    """
                    UPDATE push_subscriptions SET resident_id = \(residentId), p256dh = \(p256dh), auth = \(auth),
                        gone_at = NULL, consecutive_failures = 0, language = \(language?.rawValue)
                    WHERE id = \(existing.id)
                    """)
                // Its settled messages no longer count against it (isFailing): they stay, unlinked.
                try await db.execute(
                    "UPDATE push_outbox SET subscription_id = NULL WHERE subscription_id = \(existing.id) AND state <> 'pending'")
                return existing
            }
            let count =
                try await db.value(
                    "SELECT count(*) FROM push_subscriptions WHERE resident_id = \(residentId) AND gone_at IS NULL", as: Int.self)
                ?? 0
            try PushSubscriptionRecord.checkRoom(besides: count)
            let record = PushSubscriptionRecord(
                id: Secrets.newShortID(), residentId: residentId, endpoint: endpoint, p256dh: p256dh, auth: auth,
                createdAt: now)
            try await db.execute(
                """
                INSERT INTO push_subscriptions (id, resident_id, endpoint, p256dh, auth, created_at, language)
                VALUES (\(record.id), \(residentId), \(endpoint), \(p256dh), \(auth), \(now), \(language?.rawValue))
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
        try await settleWaiting(db, subscriptionId: id, reason: reason, at: now)
        try await db.execute("DELETE FROM push_subscriptions WHERE id = \(id)")
    }

    /// Settles the subscription's pending messages as gone: nothing will take them.
    static func settleWaiting(_ db: Transaction, subscriptionId: String, reason: Message, at now: Date) async throws {
        try await db.execute(
            """
            UPDATE push_outbox SET state = 'gone', last_error = \(reason.text()), settled_at = \(now), lease_owner = NULL,
                lease_until = NULL
            WHERE subscription_id = \(subscriptionId) AND state = 'pending'
            """)
    }

    /// Queues `draft` once for each subscription of its resident.
    /// One message per subscription of the resident, except failing ones (``PushSubscriptionRecord/isFailing(newestSettled:)``).
    static func enqueue(_ draft: PushDraft, _ db: Transaction, at now: Date) async throws -> [PushOutboxEntry] {
        let subscriptions = try await db.rows(
            """
            SELECT \(unescaped: PushSubscriptionRecord.postgresColumns) FROM push_subscriptions
            WHERE resident_id = \(draft.residentId) AND gone_at IS NULL ORDER BY created_at
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

    /// Outside the writer lock, but for a gone subscription: marking it gone must not race
    /// `addPushSubscription` of the same endpoint (which revives it) and runs under the lock.
    public func settlePushes(_ outcomes: [PushOutcome], owner: String) async throws -> [String] {
        let marksGone = outcomes.contains { if case .gone = $0.settlement { true } else { false } }
        let settle: (Transaction) async throws -> [String] = { db in
            var lost: [String] = []
            var answers: [(subscriptionId: String, answer: ServiceAnswer)] = []
            for outcome in outcomes {
                guard let answer = try await Self.settle(outcome, owner: owner, db) else {
                    lost.append(outcome.id)
                    continue
                }
                if let subscription = answer.subscriptionId { answers.append((subscription, answer.answer)) }
            }
            // Subscriptions are locked in one order by every worker: two batches never deadlock.
            for (subscriptionId, answer) in answers.sorted(by: { $0.subscriptionId < $1.subscriptionId }) {
                try await Self.record(answer, of: subscriptionId, db)
            }
            return lost
        }
        return marksGone ? try await write(settle) : try await transaction(settle)
    }

    /// What a push service's answer says of the subscription's health.
    private enum ServiceAnswer {
        case accepted(at: Date)
        case notAccepted(at: Date, status: Int?)
        case gone(at: Date, status: Int)
    }

    private static func record(_ answer: ServiceAnswer, of subscriptionId: String, _ db: Transaction) async throws {
        switch answer {
        case .accepted(let at):
            try await db.execute(
                "UPDATE push_subscriptions SET last_success_at = \(at), consecutive_failures = 0 WHERE id = \(subscriptionId)")
        case .notAccepted(let at, let status):
            try await db.execute(
                """
                UPDATE push_subscriptions SET last_failure_at = \(at), last_failure_status = \(status),
                    consecutive_failures = consecutive_failures + 1
                WHERE id = \(subscriptionId)
                """)
        case .gone(let at, let status):
            try await db.execute(
                """
                UPDATE push_subscriptions SET last_failure_at = \(at), last_failure_status = \(status),
                    consecutive_failures = consecutive_failures + 1, gone_at = \(at)
                WHERE id = \(subscriptionId)
                """)
        }
    }

    /// Settles one message; nil when the lease was lost, else what the answer says of its subscription.
    private static func settle(_ outcome: PushOutcome, owner: String, _ db: Transaction) async throws
        -> (subscriptionId: String?, answer: ServiceAnswer)?
    {
        guard
            let entry = try await db.row(
                """
                SELECT \(unescaped: PushOutboxEntry.postgresColumns) FROM push_outbox
                WHERE id = \(outcome.id) AND lease_owner = \(owner) AND state = 'pending' FOR UPDATE
                """, PushOutboxEntry.init(postgres:))
        else { return nil }
        let (id, now) = (outcome.id, outcome.at)
        func settle(_ state: PushOutboxEntry.State, _ status: Int?, _ error: String?) async throws {
            try await db.execute(
                """
                UPDATE push_outbox SET state = \(state.rawValue), last_status = \(status), last_error = \(error),
                    settled_at = \(now), lease_owner = NULL, lease_until = NULL WHERE id = \(id)
                """)
        }
        let answer: ServiceAnswer
        switch outcome.settlement {
        case .delivered(let status):
            try await settle(.delivered, status, nil)
            answer = .accepted(at: now)
        case .failed(let status, let reason):
            try await settle(.failed, status, reason)
            answer = .notAccepted(at: now, status: status)
        case .gone(let status):
            try await settle(.gone, status, Message.pushSubscriptionUnknownToService.text())
            if let subscriptionId = entry.subscriptionId {
                try await settleWaiting(db, subscriptionId: subscriptionId, reason: .pushSubscriptionGone, at: now)
            }
            answer = .gone(at: now, status: status)
        case .retry(let at, let status, let reason) where at >= entry.expiresAt:
            try await settle(.expired, status, reason)
            answer = .notAccepted(at: now, status: status)
        case .retry(let at, let status, let reason):
            try await db.execute(
                """
                UPDATE push_outbox SET next_attempt_at = \(at), last_status = \(status), last_error = \(reason),
                    lease_owner = NULL, lease_until = NULL WHERE id = \(id)
                """)
            answer = .notAccepted(at: now, status: status)
        }
        return (entry.subscriptionId, answer)
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
