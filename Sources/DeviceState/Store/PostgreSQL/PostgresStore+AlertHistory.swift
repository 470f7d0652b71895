import Foundation
import PostgresNIO

extension PostgresStore: AlertHistoryStore {
    public func alertHistory(of residentId: String, since: Date, before: String?, limit: Int) async throws -> [AlertEntry] {
        try await read { db in
            guard let before else {
                return try await Self.entries(
                    db,
                    """
                    SELECT \(unescaped: Self.ledgerColumns) FROM alerts WHERE resident_id = \(residentId) AND at >= \(since)
                    ORDER BY at DESC, id DESC LIMIT \(limit)
                    """)
            }
            guard
                try await db.value(
                    "SELECT count(*) FROM alerts WHERE id = \(before) AND resident_id = \(residentId)", as: Int.self) == 1
            else { throw DeviceStateError.alertNotFound(id: before) }
            // The cursor compared in SQL: a timestamp through Swift's Date may come back a microsecond off.
            return try await Self.entries(
                db,
                """
                SELECT \(unescaped: Self.ledgerColumns) FROM alerts WHERE resident_id = \(residentId) AND at >= \(since)
                    AND (at, id) < (SELECT at, id FROM alerts WHERE id = \(before))
                ORDER BY at DESC, id DESC LIMIT \(limit)
                """)
        }
    }

    public func unreadAlerts(of residentId: String, since: Date) async throws -> Int {
        try await read { db in
            try await db.value(
                "SELECT count(*) FROM alerts WHERE resident_id = \(residentId) AND at >= \(since) AND read_at IS NULL",
                as: Int.self) ?? 0
        }
    }

    @discardableResult
    public func markAlertsRead(_ ids: [String]?, of residentId: String, at now: Date) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }
        return try await write { db in
            let marked =
                try await db.value(
                    """
                    WITH marked AS (
                        UPDATE alerts SET read_at = \(now) WHERE resident_id = \(residentId) AND read_at IS NULL
                            AND (\(ids == nil) OR id = ANY(\(ids ?? [])))
                        RETURNING 1)
                    SELECT count(*) FROM marked
                    """, as: Int.self) ?? 0
            if marked > 0 {
                try await db.appendEvent(
                    topic: .resident(residentId), kind: .alertsRead, payload: EventPayload.AlertsRead(ids: ids, at: now),
                    at: now)
            }
            return marked
        }
    }

    public func recordLiveDelivery(_ deliveries: [LiveDelivery], at now: Date) async throws {
        guard !deliveries.isEmpty else { return }
        // Not under the writer lock: it appends no event, and each update is one row's own.
        try await transaction { db in
            for delivery in deliveries {
                try await db.execute(
                    """
                    UPDATE alerts SET live_sent_at = coalesce(live_sent_at, \(now)), live_sockets = live_sockets + \(delivery.sockets)
                    WHERE id = \(delivery.alertId)
                    """)
            }
        }
    }

    public func alertLedger(residentId: String?, since: Date, limit: Int) async throws -> [AlertEntry] {
        try await read { db in
            try await Self.entries(
                db,
                """
                SELECT \(unescaped: Self.ledgerColumns) FROM alerts
                WHERE at >= \(since) AND (\(residentId == nil) OR resident_id = \(residentId ?? ""))
                ORDER BY at DESC, id DESC LIMIT \(limit)
                """)
        }
    }

    private static let ledgerColumns =
        Alert.postgresColumns
        + ", read_at, live_sent_at, live_sockets, acked_at, push_not_before, held_reason, push_queued_at, routed_as, route_reason"

    /// The alerts `query` selects with their ledgers, the push legs read in one query.
    private static func entries(_ db: Transaction, _ query: PostgresQuery) async throws -> [AlertEntry] {
        let rows = try await db.rows(query) { row in
            let alert = try Alert(postgres: row)
            var ledger = AlertLedger(readAt: try row.optionalDate("read_at"), ackedAt: try row.optionalDate("acked_at"))
            if let at = try row.optionalDate("live_sent_at") { ledger.live = .init(at: at, sockets: try row.int("live_sockets")) }
            if let until = try row.optionalDate("push_not_before"),
                let reason = AlertRoute.Reason(rawValue: try row.optionalText("held_reason") ?? "")
            {
                ledger.held = .init(until: until, because: reason)
            }
            if let outcome = AlertLedger.Routed.Outcome(rawValue: try row.optionalText("routed_as") ?? ""),
                let at = try row.optionalDate("push_queued_at"),
                let reason = AlertRoute.Reason(rawValue: try row.optionalText("route_reason") ?? "")
            {
                ledger.routed = .init(outcome: outcome, at: at, because: reason)
            }
            return AlertEntry(alert: alert, ledger: ledger)
        }
        guard !rows.isEmpty else { return [] }
        let pushes = try await db.rows(
            """
            SELECT \(unescaped: PushOutboxEntry.postgresColumns) FROM push_outbox WHERE alert_id = ANY(\(rows.map(\.alert.id)))
            ORDER BY created_at
            """, PushOutboxEntry.init(postgres:))
        let pushesByAlert = Dictionary(grouping: pushes) { $0.alertId ?? "" }
        return rows.map { entry in
            var entry = entry
            entry.ledger.pushes = pushesByAlert[entry.alert.id, default: []].map(AlertLedger.Push.init(entry:))
            return entry
        }
    }
}
