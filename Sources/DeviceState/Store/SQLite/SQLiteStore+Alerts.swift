import Foundation
import GRDB

extension SQLiteStore {
    /// The setting that holds the dorm's default quiet hours (`{"start":"22:00","end":"07:00"}`),
    /// for residents who set none.
    public static let defaultQuietHoursSetting = "default_quiet_hours"

    /// Marks the resident's alert as seen in an open app; its push fallback is then never sent.
    /// - Returns: false for an unknown alert, another resident's, or one acknowledged before.
    public func acknowledgeAlert(_ id: String, residentId: String, at now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE alerts SET ackedAt = ? WHERE id = ? AND residentId = ? AND ackedAt IS NULL",
                arguments: [now, id, residentId])
            return db.changesCount == 1
        }
    }

    /// Queues the push fallback of alerts that no open app acknowledged: those created
    /// before `cutoff` (the ack timeout ago), or exactly `ids` (residents with no open app).
    ///
    /// An alert is routed once: a conditional update in the same IMMEDIATE transaction
    /// marks it, so the server's router and cron's pass never both queue it. An alert whose
    /// news is over by now (see ``isStale(_:use:notice:at:)``) is marked without a push, and
    /// so is a kind the resident muted. During quiet hours, the resident's own cycle alerts go
    /// out silently, and notices wait until the quiet hours end unless they are urgent.
    /// - Returns: the alerts queued for push.
    @discardableResult
    public func routeAlertsToPush(createdBefore cutoff: Date, ids: [String]?, timeZone: TimeZone, at now: Date)
        async throws -> [Alert]
    {
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
            let dormQuietHours = try String.fetchOne(
                db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [Self.defaultQuietHoursSetting]
            ).flatMap { try? DomainJSON.decoder().decode(QuietHours.self, from: Data($0.utf8)) }
            var queued: [Alert] = []
            for alert in alerts {
                let preferences = try Self.preferences(db, alert.residentId)
                let quietHours = preferences.quietHours ?? dormQuietHours
                let quiet = quietHours?.contains(now, in: timeZone) ?? false
                let notice = try Self.notice(of: alert, db)
                if let quietHours, quiet, let notice, !notice.urgent {
                    // Notices wait for the end of quiet hours, unless urgent.
                    try db.execute(
                        sql: "UPDATE alerts SET pushNotBefore = ? WHERE id = ?",
                        arguments: [quietHours.end(after: now, in: timeZone), alert.id])
                    continue
                }
                try db.execute(sql: "UPDATE alerts SET pushQueuedAt = ? WHERE id = ?", arguments: [now, alert.id])
                guard !preferences.mutedAlertKinds.contains(alert.kind) else { continue }
                let use = try alert.useId.flatMap { try Use.fetchOne(db, key: $0) }
                guard !Self.isStale(alert, use: use, notice: notice, at: now) else { continue }
                let silent = (quiet && AlertPush.isOwnCycle(alert.kind)) || notice?.quiet == true
                let draft = try AlertPush.draft(
                    for: alert, endsAt: use?.endsAt, silent: silent, urgent: notice?.urgent == true, at: now)
                _ = try Self.enqueue(draft, db, at: now)
                queued.append(alert)
            }
            return queued
        }
    }

    /// News that is over by the time the alert is routed: an `ending_soon` past the end,
    /// a laundry alert or pickup request about a use already collected, a notice no longer live.
    static func isStale(_ alert: Alert, use: Use?, notice: Notice?, at now: Date) -> Bool {
        switch alert.kind {
        case .endingSoon: use.map { $0.endsAt <= now || !$0.isOpen } ?? false
        case .cycleDone, .pickupReminder, .pickupRequest: use.map { !$0.isOpen } ?? false
        case .notice: notice.map { !$0.isLive(at: now) } ?? false
        case .useClosed: false
        }
    }

    static func preferences(_ db: Database, _ residentId: String) throws -> Preferences {
        let json = try String.fetchOne(db, sql: "SELECT preferences FROM residents WHERE id = ?", arguments: [residentId])
        return try DomainJSON.decoder().decode(Preferences.self, from: Data((json ?? "{}").utf8))
    }
}
