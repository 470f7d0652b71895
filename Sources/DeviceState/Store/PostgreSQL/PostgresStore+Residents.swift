import Foundation
import PostgresNIO

extension PostgresStore: ResidentStore {
    public func addResident(name: String, room: String, staff: Bool, codeValidFor: TimeInterval, at now: Date) async throws
        -> (Resident, EnrollmentCode)
    {
        let (name, room) = try InputRules.resident(name: name, room: room)
        return try await write { db in
            let resident = Resident(id: Secrets.newShortID(), name: name, room: room, createdAt: now, staff: staff)
            try await db.execute(
                "INSERT INTO residents (id, name, room, created_at, staff) VALUES (\(resident.id), \(name), \(room), \(now), \(staff))"
            )
            return (resident, try await Self.issueCode(db, residentId: resident.id, validFor: codeValidFor, at: now))
        }
    }

    public func issueEnrollmentCode(residentId: String, validFor: TimeInterval, at now: Date) async throws -> EnrollmentCode {
        try await write { db in
            let resident = try await Self.resident(db, residentId)
            guard resident.revokedAt == nil else { throw DeviceStateError.residentRevoked(id: residentId) }
            return try await Self.issueCode(db, residentId: residentId, validFor: validFor, at: now)
        }
    }

    public func residents() async throws -> [Resident] {
        try await read { db in
            try await db.rows(
                "SELECT \(unescaped: Resident.postgresColumns) FROM residents ORDER BY room COLLATE \"C\", name COLLATE \"C\"",
                Resident.init(postgres:))
        }
    }

    public func resident(_ id: String) async throws -> Resident {
        try await read { db in try await Self.resident(db, id) }
    }

    public func setStaff(_ id: String, _ staff: Bool) async throws -> Resident {
        try await write { db in
            var resident = try await Self.resident(db, id)
            resident.staff = staff
            try await db.execute("UPDATE residents SET staff = \(staff) WHERE id = \(id)")
            return resident
        }
    }

    public func revokeResident(_ id: String, at now: Date) async throws -> Resident {
        try await write { db in
            var resident = try await Self.resident(db, id)
            if resident.revokedAt == nil {
                resident.revokedAt = now
                try await db.execute("UPDATE residents SET revoked_at = \(now) WHERE id = \(id)")
            }
            try await db.execute("DELETE FROM sessions WHERE resident_id = \(id)")
            // A revoked resident's phones get nothing more; their queued pushes lose their device.
            try await db.execute("DELETE FROM push_subscriptions WHERE resident_id = \(id)")
            try await db.execute(
                """
                UPDATE enrollment_codes SET expires_at = \(now)
                WHERE resident_id = \(id) AND redeemed_at IS NULL AND expires_at > \(now)
                """)
            try await db.appendEvent(topic: .resident(id), kind: .sessionRevoked, payload: EventPayload.Empty(), at: now)
            return resident
        }
    }

    public func preferences(of residentId: String) async throws -> Preferences {
        try await read { db in
            _ = try await Self.resident(db, residentId)
            return try await Self.preferences(db, residentId)
        }
    }

    public func setPreferences(_ preferences: Preferences, of residentId: String) async throws -> Preferences {
        let json = try Transaction.json(preferences)
        return try await write { db in
            _ = try await Self.resident(db, residentId)
            try await db.execute("UPDATE residents SET preferences = \(json) WHERE id = \(residentId)")
            return preferences
        }
    }

    // MARK: Inside a transaction

    static func resident(_ db: Transaction, _ id: String) async throws -> Resident {
        guard
            let resident = try await db.row(
                "SELECT \(unescaped: Resident.postgresColumns) FROM residents WHERE id = \(id)", Resident.init(postgres:))
        else { throw DeviceStateError.residentNotFound(id: id) }
        return resident
    }

    /// Staff residents not revoked: who hears of crowd-confirmed reports.
    static func staffIds(_ db: Transaction) async throws -> [String] {
        try await db.rows(
            "SELECT id FROM residents WHERE staff AND revoked_at IS NULL ORDER BY id COLLATE \"C\"", { try $0.text("id") })
    }

    static func preferences(_ db: Transaction, _ residentId: String) async throws -> Preferences {
        let json = try await db.value("SELECT preferences FROM residents WHERE id = \(residentId)", as: String.self)
        return try DomainJSON.decoder().decode(Preferences.self, from: Data((json ?? "{}").utf8))
    }

    static func issueCode(_ db: Transaction, residentId: String, validFor: TimeInterval, at now: Date) async throws
        -> EnrollmentCode
    {
        let code = EnrollmentCode(
            residentId: residentId, code: EnrollmentCodeFormat.generate(), expiresAt: now.addingTimeInterval(validFor))
        let hash = Secrets.sha256Hex(EnrollmentCodeFormat.normalize(code.code))
        try await db.execute(
            """
            INSERT INTO enrollment_codes (code_hash, resident_id, created_at, expires_at)
            VALUES (\(hash), \(residentId), \(now), \(code.expiresAt))
            """)
        return code
    }
}

extension PostgresStore: SessionStore {
    public func redeemEnrollmentCode(_ code: String, at now: Date) async throws -> (Resident, token: String) {
        let codeHash = Secrets.sha256Hex(EnrollmentCodeFormat.normalize(code))
        let token = Secrets.newToken()
        return try await write { db in
            // One conditional update claims the code: of two devices redeeming it at once, one wins.
            guard
                let residentId = try await db.value(
                    """
                    UPDATE enrollment_codes SET redeemed_at = \(now)
                    WHERE code_hash = \(codeHash) AND redeemed_at IS NULL AND expires_at > \(now) RETURNING resident_id
                    """, as: String.self),
                let resident = try await db.row(
                    "SELECT \(unescaped: Resident.postgresColumns) FROM residents WHERE id = \(residentId)",
                    Resident.init(postgres:)),
                resident.revokedAt == nil
            else { throw DeviceStateError.enrollmentCodeInvalid }
            try await db.execute(
                "INSERT INTO sessions (token_hash, resident_id, created_at) VALUES (\(Secrets.sha256Hex(token)), \(resident.id), \(now))"
            )
            return (resident, token)
        }
    }

    public func resident(forToken token: String, at now: Date, idleLimit: TimeInterval) async throws -> Resident? {
        let tokenHash = Secrets.sha256Hex(token)
        let found = try await read { db in
            try await db.row(Prepared.ResidentBySession(tokenHash: tokenHash)) {
                (resident: try Resident(postgres: $0), seen: try $0.date("seen"))
            }
        }
        guard let found, !SessionLifetime.hasEnded(lastSeenAt: found.seen, idleLimit: idleLimit, at: now) else { return nil }
        if SessionLifetime.needsTouch(lastSeenAt: found.seen, at: now) {
            try await SessionLifetime.touchUnlessUnavailable {
                try await self.write { db in
                    try await db.execute("UPDATE sessions SET last_seen_at = \(now) WHERE token_hash = \(tokenHash)")
                }
            }
        }
        return found.resident
    }

    public func endSession(token: String) async throws {
        let tokenHash = Secrets.sha256Hex(token)
        try await write { db in try await db.execute("DELETE FROM sessions WHERE token_hash = \(tokenHash)") }
    }
}
