import Foundation
import GRDB

extension PushSubscriptionRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "push_subscriptions"
}

extension PushOutboxEntry: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "push_outbox"
}

extension SQLiteStore: PushSubscriptionStore {
    public func addPushSubscription(
        residentId: String, endpoint: String, p256dh: String, auth: String, language: Language?, at now: Date
    ) async throws -> PushSubscriptionRecord {
        try await write { db in
            _ = try Self.resident(db, residentId)
            if var existing = try PushSubscriptionRecord.filter(Column("endpoint") == endpoint).fetchOne(db) {
                existing.residentId = residentId
                existing.p256dh = p256dh
                existing.auth = auth
                // Subscribed again: whatever the push service said of it before starts over.
                existing.goneAt = nil
                existing.consecutiveFailures = 0
                try existing.update(db)
                // Its settled messages no longer count against it (isFailing): they stay, unlinked.
                try db.execute(
                    sql: "UPDATE push_outbox SET subscriptionId = NULL WHERE subscriptionId = ? AND state <> 'pending'",
                    arguments: [existing.id])
                try Self.setLanguage(language, ofSubscription: existing.id, db)
                return existing
            }
            let count =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM push_subscriptions WHERE residentId = ? AND goneAt IS NULL",
                    arguments: [residentId]) ?? 0
            try PushSubscriptionRecord.checkRoom(besides: count)
            let record = PushSubscriptionRecord(
                id: Secrets.newShortID(), residentId: residentId, endpoint: endpoint, p256dh: p256dh, auth: auth,
                createdAt: now)
            try record.insert(db)
            try Self.setLanguage(language, ofSubscription: record.id, db)
            return record
        }
    }

    private static func setLanguage(_ language: Language?, ofSubscription id: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE push_subscriptions SET language = ? WHERE id = ?", arguments: [language?.rawValue, id])
    }

    public func removePushSubscription(endpoint: String, of residentId: String, at now: Date) async throws -> Bool {
        try await write { db in
            guard
                let id = try String.fetchOne(
                    db, sql: "SELECT id FROM push_subscriptions WHERE endpoint = ? AND residentId = ?",
                    arguments: [endpoint, residentId])
            else { return false }
            try Self.deleteSubscription(db, id: id, reason: .pushResidentUnsubscribed, at: now)
            return true
        }
    }

    /// After a VAPID key rotation push services refuse every subscription.
    public func removeAllPushSubscriptions(reason: Message, at now: Date) async throws -> Int {
        try await write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM push_subscriptions")
            for id in ids { try Self.deleteSubscription(db, id: id, reason: reason, at: now) }
            return ids.count
        }
    }

    public func pushSubscriptions(of residentId: String) async throws -> [PushSubscriptionRecord] {
        try await pool.read { db in
            try PushSubscriptionRecord.filter(Column("residentId") == residentId).order(Column("createdAt")).fetchAll(db)
        }
    }

    /// Settles the subscription's pending messages as gone, then deletes it; its rows stay, unlinked.
    private static func deleteSubscription(_ db: Database, id: String, reason: Message, at now: Date) throws {
        try settleWaiting(db, subscriptionId: id, reason: reason, at: now)
        try db.execute(sql: "DELETE FROM push_subscriptions WHERE id = ?", arguments: [id])
    }

    /// Settles the subscription's pending messages as gone: nothing will take them.
    private static func settleWaiting(_ db: Database, subscriptionId: String, reason: Message, at now: Date) throws {
        try db.execute(
            sql: """
                UPDATE push_outbox SET state = 'gone', lastError = ?, settledAt = ?, leaseOwner = NULL, leaseUntil = NULL
                WHERE subscriptionId = ? AND state = 'pending'
                """,
            arguments: [reason.text(), now, subscriptionId])
    }

}

extension SQLiteStore: PushOutbox {
    public func enqueuePush(_ draft: PushDraft, at now: Date) async throws -> [PushOutboxEntry] {
        try await write { db in try Self.enqueue(draft, db, at: now) }
    }

    /// One message per subscription of the resident, except failing ones (``PushSubscriptionRecord/isFailing(newestSettled:)``).
    static func enqueue(_ draft: PushDraft, _ db: Database, at now: Date) throws -> [PushOutboxEntry] {
        let newestSettled = try db.cachedStatement(
            sql: """
                SELECT state FROM push_outbox WHERE residentId = ? AND subscriptionId = ? AND state <> 'pending'
                ORDER BY settledAt DESC LIMIT \(PushSubscriptionRecord.failingAfter)
                """)
        let subscriptions = try PushSubscriptionRecord.filter(Column("residentId") == draft.residentId && Column("goneAt") == nil)
            .fetchAll(db)
            .filter { subscription in
                let states = try String.fetchAll(newestSettled, arguments: [draft.residentId, subscription.id])
                return !PushSubscriptionRecord.isFailing(newestSettled: states.compactMap(PushOutboxEntry.State.init(rawValue:)))
            }
        return try subscriptions.map { subscription in
            let entry = PushOutboxEntry(
                id: Secrets.newShortID(), subscriptionId: subscription.id, residentId: draft.residentId,
                endpointOrigin: PushOutboxEntry.origin(of: subscription.endpoint), alertId: draft.alertId,
                payload: draft.payload, urgency: draft.urgency, topic: draft.topic, createdAt: now,
                expiresAt: draft.expiresAt, state: .pending, attempts: 0, nextAttemptAt: now)
            try entry.insert(db)
            return entry
        }
    }

    /// The select and the update run in one IMMEDIATE transaction, so two workers, in this
    /// process or another, never lease the same row while a lease runs. A worker that dies
    /// holding a lease delays its rows by the lease time; they are then sent again.
    public func claimDuePushes(
        owner: String, leaseFor: TimeInterval, limit: Int, ids: [String]?, at now: Date
    ) async throws -> [ClaimedPush] {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE push_outbox SET state = 'expired', settledAt = ?, leaseOwner = NULL, leaseUntil = NULL,
                        lastError = coalesce(lastError, ?)
                    WHERE state = 'pending' AND expiresAt <= ? AND (leaseUntil IS NULL OR leaseUntil <= ?)
                    """,
                arguments: [now, Message.pushExpiredUnsent.text(), now, now])
            var filter = "state = 'pending' AND nextAttemptAt <= ? AND (leaseUntil IS NULL OR leaseUntil <= ?)"
            var arguments: StatementArguments = [now, now]
            if let ids {
                filter += " AND id IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments += StatementArguments(ids)
            }
            arguments += [limit]
            let due = try PushOutboxEntry.fetchAll(
                db, sql: "SELECT * FROM push_outbox WHERE \(filter) ORDER BY nextAttemptAt LIMIT ?", arguments: arguments)
            var claimed: [ClaimedPush] = []
            for var entry in due {
                entry.attempts += 1
                try db.execute(
                    sql: "UPDATE push_outbox SET leaseOwner = ?, leaseUntil = ?, attempts = ? WHERE id = ?",
                    arguments: [owner, now.addingTimeInterval(leaseFor), entry.attempts, entry.id])
                guard let subscriptionId = entry.subscriptionId,
                    let subscription = try PushSubscriptionRecord.fetchOne(db, key: subscriptionId)
                else {
                    try db.execute(
                        sql: "UPDATE push_outbox SET state = 'gone', settledAt = ?, leaseOwner = NULL WHERE id = ?",
                        arguments: [now, entry.id])
                    continue
                }
                claimed.append(ClaimedPush(entry: entry, subscription: subscription))
            }
            return claimed
        }
    }

    /// A lease `owner` no longer holds ran out, and another worker may have taken the row.
    public func settlePushes(_ outcomes: [PushOutcome], owner: String) async throws -> [String] {
        try await write { db in
            try outcomes.filter { try !Self.settle($0, owner: owner, db) }.map(\.id)
        }
    }

    private static func settle(_ outcome: PushOutcome, owner: String, _ db: Database) throws -> Bool {
        guard
            let entry = try PushOutboxEntry.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM push_outbox WHERE id = ? AND leaseOwner = ? AND state = 'pending'"),
                arguments: [outcome.id, owner])
        else { return false }
        let settle = try db.cachedStatement(
            sql: """
                UPDATE push_outbox SET state = ?, lastStatus = ?, lastError = ?, settledAt = ?,
                    leaseOwner = NULL, leaseUntil = NULL WHERE id = ?
                """)
        let (id, now) = (outcome.id, outcome.at)
        let failure = try db.cachedStatement(
            sql: """
                UPDATE push_subscriptions SET lastFailureAt = ?, lastFailureStatus = ?, consecutiveFailures = consecutiveFailures + 1
                WHERE id = ?
                """)
        let subscriptionId = entry.subscriptionId
        switch outcome.settlement {
        case .delivered(let status):
            try settle.execute(arguments: ["delivered", status, nil, now, id])
            try db.execute(
                sql: "UPDATE push_subscriptions SET lastSuccessAt = ?, consecutiveFailures = 0 WHERE id = ?",
                arguments: [now, subscriptionId])
        case .failed(let status, let reason):
            try settle.execute(arguments: ["failed", status, reason, now, id])
            try failure.execute(arguments: [now, status, subscriptionId])
        case .gone(let status):
            try settle.execute(arguments: ["gone", status, Message.pushSubscriptionUnknownToService.text(), now, id])
            if let subscriptionId {
                try settleWaiting(db, subscriptionId: subscriptionId, reason: .pushSubscriptionGone, at: now)
                try failure.execute(arguments: [now, status, subscriptionId])
                try db.execute(sql: "UPDATE push_subscriptions SET goneAt = ? WHERE id = ?", arguments: [now, subscriptionId])
            }
        case .retry(let at, let status, let reason) where at >= entry.expiresAt:
            try settle.execute(arguments: ["expired", status, reason, now, id])
            try failure.execute(arguments: [now, status, subscriptionId])
        case .retry(let at, let status, let reason):
            try failure.execute(arguments: [now, status, subscriptionId])
            try db.cachedStatement(
                sql: """
                    UPDATE push_outbox SET nextAttemptAt = ?, lastStatus = ?, lastError = ?,
                        leaseOwner = NULL, leaseUntil = NULL WHERE id = ?
                    """
            ).execute(arguments: [at, status, reason, id])
        }
        return true
    }

    public func pushOutbox(state: PushOutboxEntry.State?, residentId: String?, limit: Int) async throws -> [PushOutboxEntry] {
        try await pool.read { db in
            var request = PushOutboxEntry.all()
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let residentId { request = request.filter(Column("residentId") == residentId) }
            return try request.order(Column("createdAt").desc, Column("id")).limit(limit).fetchAll(db)
        }
    }

    public func pushOutboxEntries(ids: [String]) async throws -> [PushOutboxEntry] {
        try await pool.read { db in try PushOutboxEntry.fetchAll(db, keys: ids) }
    }

    public func nextPushDue() async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(
                db,
                sql:
                    "SELECT min(max(nextAttemptAt, coalesce(leaseUntil, nextAttemptAt))) FROM push_outbox WHERE state = 'pending'"
            )
        }
    }

    public func pushOutboxCounts() async throws -> [PushOutboxEntry.State: Int] {
        try await pool.read { db in try Self.pushOutboxCounts(db, createdIn: Date.distantPast..<Date.distantFuture) }
    }

    /// Push notifications queued in `period`, by state.
    static func pushOutboxCounts(_ db: Database, createdIn period: Range<Date>) throws -> [PushOutboxEntry.State: Int] {
        var counts: [PushOutboxEntry.State: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT state, count(*) AS n FROM push_outbox WHERE createdAt >= ? AND createdAt < ? GROUP BY state",
            arguments: [period.lowerBound, period.upperBound])
        {
            if let state = PushOutboxEntry.State(rawValue: row["state"]) { counts[state] = row["n"] }
        }
        return counts
    }
}
