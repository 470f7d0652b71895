import Foundation
import GRDB

extension SQLiteStore: AlertHistoryStore {
    public func alertHistory(of residentId: String, since: Date, before: String?, limit: Int) async throws -> [AlertEntry] {
        try await pool.read { db in
            var sql = "SELECT * FROM alerts WHERE residentId = ? AND at >= ?"
            var arguments: StatementArguments = [residentId, since]
            if let before {
                guard
                    let cursor = try Alert.fetchOne(
                        db, sql: "SELECT * FROM alerts WHERE id = ? AND residentId = ?", arguments: [before, residentId])
                else { throw DeviceStateError.alertNotFound(id: before) }
                sql += " AND (at < ? OR (at = ? AND id < ?))"
                arguments += [cursor.at, cursor.at, cursor.id]
            }
            arguments += [limit]
            return try Self.entries(db, Row.fetchAll(db, sql: sql + " ORDER BY at DESC, id DESC LIMIT ?", arguments: arguments))
        }
    }

    public func unreadAlerts(of residentId: String, since: Date) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM alerts WHERE residentId = ? AND at >= ? AND readAt IS NULL",
                arguments: [residentId, since]) ?? 0
        }
    }

    @discardableResult
    public func markAlertsRead(_ ids: [String]?, of residentId: String, at now: Date) async throws -> Int {
        try await write { db in
            var sql = "UPDATE alerts SET readAt = ? WHERE residentId = ? AND readAt IS NULL"
            var arguments: StatementArguments = [now, residentId]
            if let ids {
                guard !ids.isEmpty else { return 0 }
                sql += " AND id IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments += StatementArguments(ids)
            }
            try db.execute(sql: sql, arguments: arguments)
            let marked = db.changesCount
            if marked > 0 {
                try Self.appendEvent(
                    db, topic: .resident(residentId), kind: .alertsRead, payload: EventPayload.AlertsRead(ids: ids, at: now),
                    at: now)
            }
            return marked
        }
    }

    public func recordLiveDelivery(_ deliveries: [LiveDelivery], at now: Date) async throws {
        guard !deliveries.isEmpty else { return }
        try await write { db in
            let record = try db.cachedStatement(
                sql: "UPDATE alerts SET liveSentAt = coalesce(liveSentAt, ?), liveSockets = liveSockets + ? WHERE id = ?")
            for delivery in deliveries {
                try record.execute(arguments: [now, delivery.sockets, delivery.alertId])
            }
        }
    }

    public func alertLedger(residentId: String?, since: Date, limit: Int) async throws -> [AlertEntry] {
        try await pool.read { db in
            var sql = "SELECT * FROM alerts WHERE at >= ?"
            var arguments: StatementArguments = [since]
            if let residentId {
                sql += " AND residentId = ?"
                arguments += [residentId]
            }
            arguments += [limit]
            return try Self.entries(db, Row.fetchAll(db, sql: sql + " ORDER BY at DESC, id DESC LIMIT ?", arguments: arguments))
        }
    }

    /// The alerts of `rows` with their ledgers, the push legs read in one query.
    private static func entries(_ db: Database, _ rows: [Row]) throws -> [AlertEntry] {
        let ids: [String] = rows.map { $0["id"] }
        let pushes =
            ids.isEmpty
            ? []
            : try PushOutboxEntry.fetchAll(
                db,
                sql: "SELECT * FROM push_outbox WHERE alertId IN (\(databaseQuestionMarks(count: ids.count))) ORDER BY createdAt",
                arguments: StatementArguments(ids))
        let pushesByAlert = Dictionary(grouping: pushes) { $0.alertId ?? "" }
        return try rows.map { row in
            let alert = try Alert(row: row)
            var ledger = AlertLedger(readAt: row["readAt"], ackedAt: row["ackedAt"])
            if let at: Date = row["liveSentAt"] { ledger.live = .init(at: at, sockets: row["liveSockets"]) }
            if let until: Date = row["pushNotBefore"], let reason = AlertRoute.Reason(rawValue: row["heldReason"] ?? "") {
                ledger.held = .init(until: until, because: reason)
            }
            if let outcome = AlertLedger.Routed.Outcome(rawValue: row["routedAs"] ?? ""), let at: Date = row["pushQueuedAt"],
                let reason = AlertRoute.Reason(rawValue: row["routeReason"] ?? "")
            {
                ledger.routed = .init(outcome: outcome, at: at, because: reason)
            }
            ledger.pushes = pushesByAlert[alert.id, default: []].map(AlertLedger.Push.init(entry:))
            return AlertEntry(alert: alert, ledger: ledger)
        }
    }
}
