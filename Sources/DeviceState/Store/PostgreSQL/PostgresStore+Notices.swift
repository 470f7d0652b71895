import Foundation
import PostgresNIO

extension PostgresStore: NoticeStore {
    public func postNotice(_ notice: Notice, at now: Date) async throws -> Notice {
        try await write { db in try await Self.post(notice, db, at: now) }
    }

    public func notices(includingEnded: Bool, at now: Date) async throws -> [Notice] {
        try await read { db in
            if includingEnded {
                return try await db.rows(
                    "SELECT \(unescaped: Notice.postgresColumns) FROM notices ORDER BY publish_at DESC", Notice.init(postgres:))
            }
            return try await db.rows(
                """
                SELECT \(unescaped: Notice.postgresColumns) FROM notices
                WHERE retracted_at IS NULL AND (expires_at IS NULL OR expires_at > \(now)) ORDER BY publish_at DESC
                """, Notice.init(postgres:))
        }
    }

    public func retractNotice(_ id: String, at now: Date) async throws -> Notice {
        try await write { db in
            guard
                var notice = try await db.row(
                    "SELECT \(unescaped: Notice.postgresColumns) FROM notices WHERE id = \(id)", Notice.init(postgres:))
            else { throw DeviceStateError.noticeNotFound(id: id) }
            guard notice.retractedAt == nil else { throw DeviceStateError.noticeRetracted(id: id) }
            try await Self.retract(&notice, db, at: now)
            return notice
        }
    }

    // MARK: Inside a transaction

    static func retract(_ notice: inout Notice, _ db: Transaction, at now: Date) async throws {
        notice.retractedAt = now
        let wasShown =
            try await db.value(
                """
                UPDATE notices SET retracted_at = \(now) WHERE id = \(notice.id)
                RETURNING announced_at IS NOT NULL AND expiry_announced_at IS NULL
                """, as: Bool.self) ?? false
        if wasShown {
            try await db.appendEvent(
                topic: .board, kind: .noticeRemoved, payload: EventPayload.Removed(id: notice.id), at: now)
        }
    }

    /// Stores a notice, trimmed and checked, and announces it when it is live already.
    static func post(_ notice: Notice, _ db: Transaction, at now: Date) async throws -> Notice {
        let notice = try InputRules.notice(notice)
        for machineId in notice.machineIds {
            _ = try await machineStatus(db, machineId)
        }
        try await db.execute(
            """
            INSERT INTO notices (id, text, texts, severity, location, machine_ids, publish_at, expires_at, retracted_at, push,
                quiet, urgent, created_at)
            VALUES (\(notice.id), \(notice.text), \(notice.textsJSON), \(notice.severity.rawValue), \(notice.location), \(notice.machineIds),
                \(notice.publishAt), \(notice.expiresAt), \(notice.retractedAt), \(notice.push), \(notice.quiet),
                \(notice.urgent), \(notice.createdAt))
            """)
        if notice.isLive(at: now) { try await announce(notice, db, at: now) }
        return notice
    }

    /// Puts a live notice on open boards and, when it is pushed, alerts every active
    /// resident. False when it was announced before.
    @discardableResult
    static func announce(_ notice: Notice, _ db: Transaction, at now: Date) async throws -> Bool {
        let claimed = try await db.count(
            "UPDATE notices SET announced_at = \(now) WHERE id = \(notice.id) AND announced_at IS NULL RETURNING 1")
        guard claimed == 1 else { return false }
        try await db.appendEvent(topic: .board, kind: .notice, payload: EventPayload.NoticeChanged(notice: notice), at: now)
        guard notice.push else { return true }
        let residents = try await db.rows(
            "SELECT id FROM residents WHERE revoked_at IS NULL ORDER BY created_at, id COLLATE \"C\""
        ) { try $0.text("id") }
        for residentId in residents {
            try await createAlert(db, .notice(notice, for: residentId, at: now))
        }
        return true
    }

    /// The notices live at `now`, newest first.
    static func liveNotices(_ db: Transaction, at now: Date) async throws -> [Notice] {
        try await db.rows(
            """
            SELECT \(unescaped: Notice.postgresColumns) FROM notices
            WHERE retracted_at IS NULL AND publish_at <= \(now) AND (expires_at IS NULL OR expires_at > \(now))
            ORDER BY publish_at DESC
            """, Notice.init(postgres:))
    }
}
