import Foundation
import GRDB

extension SQLiteStore: AlertStore {
    public func acknowledgeAlert(_ id: String, residentId: String, at now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE alerts SET ackedAt = ? WHERE id = ? AND residentId = ? AND ackedAt IS NULL",
                arguments: [now, id, residentId])
            return db.changesCount == 1
        }
    }

    /// One IMMEDIATE transaction reads the unrouted alerts and applies each answer, so the
    /// server's router and cron's pass never both route one.
    @discardableResult
    public func routeAlerts(
        createdBefore cutoff: Date, ids: [String]?, timeZone: TimeZone, at now: Date, drafting: @escaping PushDrafting
    ) async throws -> [RoutedAlert] {
        try await write { db in
            var filter = "ackedAt IS NULL AND pushQueuedAt IS NULL AND (pushNotBefore IS NULL OR pushNotBefore <= ?)"
            var arguments: StatementArguments = [now]
            if let ids {
                filter += " AND id IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments += StatementArguments(ids)
            } else {
                filter += " AND at <= ?"
                arguments += [cutoff]
            }
            let alerts = try Alert.fetchAll(
                db, sql: "SELECT * FROM alerts WHERE \(filter) ORDER BY at LIMIT 500", arguments: arguments)
            let dormQuietHours = try Self.setting(db, .defaultQuietHours)
                .flatMap { try? DomainJSON.decoder().decode(QuietHours.self, from: Data($0.utf8)) }
            let dormLanguage = try Self.setting(db, .defaultLanguage).flatMap(Language.init(rawValue:))
            var pushed: [RoutedAlert] = []
            for alert in alerts {
                let use = try alert.useId.flatMap { try Use.fetchOne(db, key: $0) }
                let notice = try alert.noticeId.flatMap { try Notice.fetchOne(db, key: $0) }
                let preferences = try Self.preferences(db, alert.residentId)
                let route = AlertRouting.route(
                    alert, preferences: preferences, dormQuietHours: dormQuietHours,
                    use: use, notice: notice, timeZone: timeZone, at: now)
                switch route {
                case .hold(let until, let reason):
                    try db.execute(
                        sql: "UPDATE alerts SET pushNotBefore = ?, heldReason = ? WHERE id = ?",
                        arguments: [until, reason.rawValue, alert.id])
                case .drop(let reason):
                    try db.execute(
                        sql: "UPDATE alerts SET pushQueuedAt = ?, routedAs = 'dropped', routeReason = ? WHERE id = ?",
                        arguments: [now, reason.rawValue, alert.id])
                case .push(let silent, let urgent, let reason):
                    try db.execute(
                        sql: "UPDATE alerts SET pushQueuedAt = ?, routedAs = 'pushed', routeReason = ? WHERE id = ?",
                        arguments: [now, reason.rawValue, alert.id])
                    let language = Language.forResident(
                        chosen: preferences.language, device: try Self.deviceLanguage(db, alert.residentId),
                        dormDefault: dormLanguage)
                    let routed = RoutedAlert(
                        alert: alert, silent: silent, urgent: urgent, reason: reason, useEndsAt: use?.endsAt,
                        language: language)
                    _ = try Self.enqueue(try drafting(routed, now), db, at: now)
                    pushed.append(routed)
                }
            }
            return pushed
        }
    }

    /// The language the resident's newest device's app spoke when it subscribed.
    static func deviceLanguage(_ db: Database, _ residentId: String) throws -> Language? {
        try String.fetchOne(
            db,
            sql: """
                SELECT language FROM push_subscriptions WHERE residentId = ? AND language IS NOT NULL AND goneAt IS NULL
                ORDER BY createdAt DESC LIMIT 1
                """, arguments: [residentId]
        ).flatMap(Language.init(rawValue:))
    }

    static func preferences(_ db: Database, _ residentId: String) throws -> Preferences {
        let json = try String.fetchOne(db, sql: "SELECT preferences FROM residents WHERE id = ?", arguments: [residentId])
        return try DomainJSON.decoder().decode(Preferences.self, from: Data((json ?? "{}").utf8))
    }

    /// Creates an alert unless one with its dedupe key exists, with its event on the resident's topic.
    /// - Returns: whether the alert was created.
    @discardableResult
    static func createAlert(_ db: Database, _ alert: Alert) throws -> Bool {
        try db.execute(
            sql: """
                INSERT INTO alerts (id, residentId, kind, title, body, machineId, useId, dedupeKey, at, content)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupeKey) DO NOTHING
                """,
            arguments: [
                alert.id, alert.residentId, alert.kind.rawValue, alert.title, alert.body,
                alert.machineId, alert.useId, alert.dedupeKey, alert.at, alert.contentJSON,
            ])
        guard db.changesCount == 1 else { return false }
        try appendEvent(
            db, topic: .resident(alert.residentId), kind: .alert, payload: EventPayload.AlertCreated(alert: alert), at: alert.at)
        return true
    }
}
