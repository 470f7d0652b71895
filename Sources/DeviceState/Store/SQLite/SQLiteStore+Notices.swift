import Foundation
import GRDB

extension SQLiteStore {
    public func postNotice(_ notice: Notice, at now: Date) async throws -> Notice {
        try await write { db in try Self.post(notice, db, at: now) }
    }

    /// The reconciler's notice steps at `now`: scheduled notices whose time has come are
    /// announced (a `notice` event for open boards, and a `notice` alert for every active
    /// resident when the notice is pushed); expired ones are taken off open boards
    /// (`notice_removed`). Each happens once, claimed by a conditional update.
    public func reconcileNotices(at now: Date, dryRun: Bool = false) async throws -> (published: Int, expired: Int) {
        try await write(dryRun: dryRun) { db in
            var counts = (published: 0, expired: 0)
            let due = try Notice.fetchAll(
                db,
                sql: """
                    SELECT * FROM notices WHERE announcedAt IS NULL AND retractedAt IS NULL AND publishAt <= ?
                        AND (expiresAt IS NULL OR expiresAt > ?)
                    """,
                arguments: [now, now])
            for notice in due where try Self.announce(notice, db, at: now) { counts.published += 1 }
            let expired = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM notices WHERE announcedAt IS NOT NULL AND expiryAnnouncedAt IS NULL
                        AND retractedAt IS NULL AND expiresAt <= ?
                    """,
                arguments: [now])
            for id in expired {
                try db.execute(sql: "UPDATE notices SET expiryAnnouncedAt = ? WHERE id = ?", arguments: [now, id])
                try Self.appendEvent(db, topic: .board, kind: .noticeRemoved, payload: EventPayload.Removed(id: id), at: now)
                counts.expired += 1
            }
            return counts
        }
    }

    /// Notices newest first: by default those live or still to come; with `includingEnded`
    /// also expired and retracted ones.
    public func notices(includingEnded: Bool, at now: Date) async throws -> [Notice] {
        try await pool.read { db in
            try Notice.fetchAll(
                db,
                sql: includingEnded
                    ? "SELECT * FROM notices ORDER BY publishAt DESC"
                    : """
                    SELECT * FROM notices WHERE retractedAt IS NULL AND (expiresAt IS NULL OR expiresAt > ?)
                    ORDER BY publishAt DESC
                    """,
                arguments: includingEnded ? [] : [now])
        }
    }

    /// Takes a notice down: off open boards at once (`notice_removed`) if it was on them,
    /// and never published if it was still scheduled. Its pushes still waiting are dropped.
    public func retractNotice(_ id: String, at now: Date) async throws -> Notice {
        try await write { db in
            guard var notice = try Notice.fetchOne(db, key: id) else { throw DeviceStateError.noticeNotFound(id: id) }
            guard notice.retractedAt == nil else { throw DeviceStateError.noticeRetracted(id: id) }
            try Self.retract(&notice, db, at: now)
            return notice
        }
    }

    static func retract(_ notice: inout Notice, _ db: Database, at now: Date) throws {
        notice.retractedAt = now
        try db.execute(sql: "UPDATE notices SET retractedAt = ? WHERE id = ?", arguments: [now, notice.id])
        let wasShown =
            try Bool.fetchOne(
                db, sql: "SELECT announcedAt IS NOT NULL AND expiryAnnouncedAt IS NULL FROM notices WHERE id = ?",
                arguments: [notice.id]) ?? false
        if wasShown {
            try appendEvent(db, topic: .board, kind: .noticeRemoved, payload: EventPayload.Removed(id: notice.id), at: now)
        }
    }

    /// Stores a notice, trimmed and checked, and announces it when it is live already.
    static func post(_ notice: Notice, _ db: Database, at now: Date) throws -> Notice {
        let text = notice.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(text.count) else {
            throw DeviceStateError.invalidInput(field: "text", reason: "give 1 to 500 characters")
        }
        if let expiresAt = notice.expiresAt, expiresAt <= notice.publishAt {
            throw DeviceStateError.invalidInput(field: "expires", reason: "a notice must expire after it is published")
        }
        var notice = notice
        notice.text = text
        for machineId in notice.machineIds {
            _ = try machineStatus(db, machineId)
        }
        try notice.insert(db)
        if notice.isLive(at: now) { try announce(notice, db, at: now) }
        return notice
    }

    /// Puts a live notice on open boards and, when it is pushed, alerts every active
    /// resident. False when it was announced before.
    @discardableResult
    static func announce(_ notice: Notice, _ db: Database, at now: Date) throws -> Bool {
        try db.execute(
            sql: "UPDATE notices SET announcedAt = ? WHERE id = ? AND announcedAt IS NULL", arguments: [now, notice.id])
        guard db.changesCount == 1 else { return false }
        try appendEvent(db, topic: .board, kind: .notice, payload: EventPayload.NoticeChanged(notice: notice), at: now)
        guard notice.push else { return true }
        let title =
            switch notice.severity {
            case .info: "Laundry notice"
            case .warning: "Laundry warning"
            case .outage: "Laundry outage"
            }
        for residentId in try String.fetchAll(db, sql: "SELECT id FROM residents WHERE revokedAt IS NULL") {
            try createAlert(
                db,
                Alert(
                    id: Secrets.newUUID(), residentId: residentId, kind: .notice, title: title, body: notice.text,
                    machineId: notice.machineIds.first, useId: nil, dedupeKey: "notice:\(notice.id):\(residentId)", at: now))
        }
        return true
    }

    /// The notice a `notice` alert is about, from its dedupe key `notice:<id>:<resident>`.
    static func notice(of alert: Alert, _ db: Database) throws -> Notice? {
        let parts = alert.dedupeKey.split(separator: ":")
        guard alert.kind == .notice, parts.count == 3 else { return nil }
        return try Notice.fetchOne(db, key: String(parts[1]))
    }
}
