import Foundation
import PostgresNIO

extension PostgresStore: AlertStore {
    public func acknowledgeAlert(_ id: String, residentId: String, at now: Date) async throws -> Bool {
        try await write { db in
            try await db.count(
                """
                UPDATE alerts SET acked_at = \(now) WHERE id = \(id) AND resident_id = \(residentId) AND acked_at IS NULL
                RETURNING 1
                """) == 1
        }
    }

    /// Under the writer lock, so routers on every instance and cron route each alert once.
    @discardableResult
    public func routeAlerts(
        createdBefore cutoff: Date, ids: [String]?, timeZone: TimeZone, at now: Date, drafting: @escaping PushDrafting
    ) async throws -> [RoutedAlert] {
        try await write { db in
            let alerts: [Alert]
            if let ids {
                alerts = try await db.rows(
                    """
                    SELECT \(unescaped: Alert.postgresColumns) FROM alerts
                    WHERE acked_at IS NULL AND push_queued_at IS NULL AND (push_not_before IS NULL OR push_not_before <= \(now))
                        AND id = ANY(\(ids)) ORDER BY at LIMIT 500
                    """, Alert.init(postgres:))
            } else {
                alerts = try await db.rows(
                    """
                    SELECT \(unescaped: Alert.postgresColumns) FROM alerts
                    WHERE acked_at IS NULL AND push_queued_at IS NULL AND (push_not_before IS NULL OR push_not_before <= \(now))
                        AND at <= \(cutoff) ORDER BY at LIMIT 500
                    """, Alert.init(postgres:))
            }
            let dormQuietHours = try await Self.setting(db, .defaultQuietHours)
                .flatMap { try? DomainJSON.decoder().decode(QuietHours.self, from: Data($0.utf8)) }
            let dormLanguage = try await Self.setting(db, .defaultLanguage).flatMap(Language.init(rawValue:))
            var pushed: [RoutedAlert] = []
            for alert in alerts {
                let use = try await alert.useId.asyncFlatMap { id in
                    try await db.row(
                        "SELECT \(unescaped: Use.postgresColumns) FROM uses WHERE id = \(id)", { try Use(postgres: $0) })
                }
                let notice = try await alert.noticeId.asyncFlatMap { id in
                    try await db.row(
                        "SELECT \(unescaped: Notice.postgresColumns) FROM notices WHERE id = \(id)", Notice.init(postgres:))
                }
                let preferences = try await Self.preferences(db, alert.residentId)
                let route = AlertRouting.route(
                    alert, preferences: preferences, dormQuietHours: dormQuietHours,
                    use: use, notice: notice, timeZone: timeZone, at: now)
                switch route {
                case .hold(let until, let reason):
                    try await db.execute(
                        "UPDATE alerts SET push_not_before = \(until), held_reason = \(reason.rawValue) WHERE id = \(alert.id)")
                case .drop(let reason):
                    try await db.execute(
                        """
                        UPDATE alerts SET push_queued_at = \(now), routed_as = 'dropped', route_reason = \(reason.rawValue)
                        WHERE id = \(alert.id)
                        """)
                case .push(let silent, let urgent, let reason):
                    try await db.execute(
                        """
                        UPDATE alerts SET push_queued_at = \(now), routed_as = 'pushed', route_reason = \(reason.rawValue)
                        WHERE id = \(alert.id)
                        """)
                    let language = Language.forResident(
                        chosen: preferences.language, device: try await Self.deviceLanguage(db, alert.residentId),
                        dormDefault: dormLanguage)
                    let routed = RoutedAlert(
                        alert: alert, silent: silent, urgent: urgent, reason: reason, useEndsAt: use?.endsAt,
                        language: language)
                    _ = try await Self.enqueue(try drafting(routed, now), db, at: now)
                    pushed.append(routed)
                }
            }
            return pushed
        }
    }

    /// The language the resident's newest device's app spoke when it subscribed.
    static func deviceLanguage(_ db: Transaction, _ residentId: String) async throws -> Language? {
        try await db.value(
            """
            SELECT language FROM push_subscriptions WHERE resident_id = \(residentId) AND language IS NOT NULL
                AND gone_at IS NULL
            ORDER BY created_at DESC LIMIT 1
            """, as: String.self
        ).flatMap(Language.init(rawValue:))
    }

    /// Creates an alert unless one with its dedupe key exists, with its event on the resident's topic.
    /// - Returns: whether the alert was created.
    @discardableResult
    static func createAlert(_ db: Transaction, _ alert: Alert) async throws -> Bool {
        let created = try await db.count(
            """
            INSERT INTO alerts (id, resident_id, kind, title, body, machine_id, use_id, dedupe_key, at, content)
            VALUES (\(alert.id), \(alert.residentId), \(alert.kind.rawValue), \(alert.title), \(alert.body), \(alert.machineId),
                \(alert.useId), \(alert.dedupeKey), \(alert.at), \(alert.contentJSON))
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1
            """)
        guard created == 1 else { return false }
        try await db.appendEvent(
            topic: .resident(alert.residentId), kind: .alert, payload: EventPayload.AlertCreated(alert: alert), at: alert.at)
        return true
    }
}

extension Optional {
    /// `flatMap` for an async transform.
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
