import Foundation
import GRDB

extension SQLiteStore: ResidentStore {
    public func addResident(name: String, room: String, staff: Bool, codeValidFor: TimeInterval, at now: Date) async throws
        -> (Resident, EnrollmentCode)
    {
        let (name, room) = try InputRules.resident(name: name, room: room)
        return try await write { db in
            let resident = Resident(id: Secrets.newShortID(), name: name, room: room, createdAt: now, staff: staff)
            try resident.insert(db)
            let code = try Self.issueCode(db, residentId: resident.id, validFor: codeValidFor, at: now)
            return (resident, code)
        }
    }

    public func issueEnrollmentCode(residentId: String, validFor: TimeInterval, at now: Date) async throws -> EnrollmentCode {
        try await write { db in
            let resident = try Self.resident(db, residentId)
            guard resident.revokedAt == nil else { throw DeviceStateError.residentRevoked(id: residentId) }
            return try Self.issueCode(db, residentId: residentId, validFor: validFor, at: now)
        }
    }

    public func residents() async throws -> [Resident] {
        try await pool.read { db in try Resident.fetchAll(db, sql: "SELECT * FROM residents ORDER BY room, name") }
    }

    public func resident(_ id: String) async throws -> Resident {
        try await pool.read { db in try Self.resident(db, id) }
    }

    public func setStaff(_ id: String, _ staff: Bool) async throws -> Resident {
        try await write { db in
            var resident = try Self.resident(db, id)
            resident.staff = staff
            try resident.update(db)
            return resident
        }
    }

    public func revokeResident(_ id: String, at now: Date) async throws -> Resident {
        try await write { db in
            var resident = try Self.resident(db, id)
            if resident.revokedAt == nil {
                resident.revokedAt = now
                try resident.update(db)
            }
            try db.execute(sql: "DELETE FROM sessions WHERE residentId = ?", arguments: [id])
            // A revoked resident's phones get nothing more; their queued pushes lose their device.
            try db.execute(sql: "DELETE FROM push_subscriptions WHERE residentId = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE enrollment_codes SET expiresAt = ? WHERE residentId = ? AND redeemedAt IS NULL AND expiresAt > ?",
                arguments: [now, id, now])
            try Self.appendEvent(db, topic: .resident(id), kind: .sessionRevoked, payload: EventPayload.Empty(), at: now)
            return resident
        }
    }

    public func preferences(of residentId: String) async throws -> Preferences {
        try await pool.read { db in
            _ = try Self.resident(db, residentId)
            return try Self.preferences(db, residentId)
        }
    }

    public func setPreferences(_ preferences: Preferences, of residentId: String) async throws -> Preferences {
        let json = String(decoding: try DomainJSON.encoder().encode(preferences), as: UTF8.self)
        return try await write { db in
            _ = try Self.resident(db, residentId)
            try db.execute(sql: "UPDATE residents SET preferences = ? WHERE id = ?", arguments: [json, residentId])
            return preferences
        }
    }
}

extension SQLiteStore: SessionStore {
    public func redeemEnrollmentCode(_ code: String, at now: Date) async throws -> (Resident, token: String) {
        let codeHash = Secrets.sha256Hex(EnrollmentCodeFormat.normalize(code))
        let token = Secrets.newToken()
        return try await write { db in
            // One conditional update claims the code: of two devices redeeming it at once, one wins.
            try db.execute(
                sql: "UPDATE enrollment_codes SET redeemedAt = ? WHERE codeHash = ? AND redeemedAt IS NULL AND expiresAt > ?",
                arguments: [now, codeHash, now])
            guard db.changesCount == 1,
                let residentId = try String.fetchOne(
                    db, sql: "SELECT residentId FROM enrollment_codes WHERE codeHash = ?", arguments: [codeHash]),
                let resident = try Resident.fetchOne(db, key: residentId), resident.revokedAt == nil
            else { throw DeviceStateError.enrollmentCodeInvalid }
            try db.execute(
                sql: "INSERT INTO sessions (tokenHash, residentId, createdAt) VALUES (?, ?, ?)",
                arguments: [Secrets.sha256Hex(token), resident.id, now])
            return (resident, token)
        }
    }

    public func resident(forToken token: String, at now: Date, idleLimit: TimeInterval) async throws -> Resident? {
        let tokenHash = Secrets.sha256Hex(token)
        let found = try await pool.read { db -> (resident: Resident, seen: Date)? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT residents.*, coalesce(sessions.lastSeenAt, sessions.createdAt) AS seen FROM sessions
                            JOIN residents ON residents.id = sessions.residentId
                            WHERE sessions.tokenHash = ? AND residents.revokedAt IS NULL
                            """),
                    arguments: [tokenHash])
            else { return nil }
            return (try Resident(row: row), row["seen"])
        }
        guard let found, !SessionLifetime.hasEnded(lastSeenAt: found.seen, idleLimit: idleLimit, at: now) else { return nil }
        if SessionLifetime.needsTouch(lastSeenAt: found.seen, at: now) {
            try await SessionLifetime.touchUnlessUnavailable {
                try await self.write { db in
                    try db.execute(sql: "UPDATE sessions SET lastSeenAt = ? WHERE tokenHash = ?", arguments: [now, tokenHash])
                }
            }
        }
        return found.resident
    }

    public func endSession(token: String) async throws {
        let tokenHash = Secrets.sha256Hex(token)
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE tokenHash = ?", arguments: [tokenHash])
        }
    }
}

extension SQLiteStore {
    static func resident(_ db: Database, _ id: String) throws -> Resident {
        guard let resident = try Resident.fetchOne(db, key: id) else { throw DeviceStateError.residentNotFound(id: id) }
        return resident
    }

    /// Staff residents not revoked: who hears of crowd-confirmed reports.
    static func staffIds(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM residents WHERE staff AND revokedAt IS NULL ORDER BY id")
    }

    static func issueCode(_ db: Database, residentId: String, validFor: TimeInterval, at now: Date) throws -> EnrollmentCode {
        let code = EnrollmentCode(
            residentId: residentId, code: EnrollmentCodeFormat.generate(), expiresAt: now.addingTimeInterval(validFor))
        try db.execute(
            sql: "INSERT INTO enrollment_codes (codeHash, residentId, createdAt, expiresAt) VALUES (?, ?, ?, ?)",
            arguments: [Secrets.sha256Hex(EnrollmentCodeFormat.normalize(code.code)), residentId, now, code.expiresAt])
        return code
    }
}
