import Foundation
import GRDB

extension SQLiteStore: NoticeStore {
    public func postNotice(_ notice: Notice, at now: Date) async throws -> Notice {
        try await write { db in try Self.post(notice, db, at: now) }
    }

    /// Each announcement and removal happens once, claimed by a conditional update.
    public func reconcileNotices(at now: Date, dryRun: Bool) async throws -> (published: Int, expired: Int) {
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

    /// Its pushes still waiting for the end of quiet hours are dropped by the router (the notice is no longer live).
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
        let notice = try InputRules.notice(notice)
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
        for residentId in try String.fetchAll(db, sql: "SELECT id FROM residents WHERE revokedAt IS NULL") {
            try createAlert(db, .notice(notice, for: residentId, at: now))
        }
        return true
    }

    /// The notices live at `now`, newest first.
    static func liveNotices(_ db: Database, at now: Date) throws -> [Notice] {
        try Notice.fetchAll(
            db,
            sql: """
                SELECT * FROM notices
                WHERE retractedAt IS NULL AND publishAt <= ? AND (expiresAt IS NULL OR expiresAt > ?)
                ORDER BY publishAt DESC
                """,
            arguments: [now, now])
    }
}
