import Foundation
import PostgresNIO

extension PostgresStore: WaitlistStore {
    public func joinWaitlist(kind: Machine.Kind, location: String?, residentId: String, at now: Date) async throws
        -> WaitlistPlace
    {
        try await write { db in
            _ = try await Self.resident(db, residentId)
            try await Self.dropExpiredWaits(db, at: now)
            let entry = try Waitlist.join(
                kind: kind, location: location, residentId: residentId, existing: try await Self.waiting(db, kind: kind),
                at: now)
            let machines =
                try await db.value(
                    """
                    SELECT count(*) FROM machines WHERE kind = \(kind.rawValue) AND removed_at IS NULL
                        AND (\(entry.location)::text IS NULL OR location = \(entry.location))
                    """, as: Int.self) ?? 0
            guard machines > 0 else {
                throw DeviceStateError.invalidInput(field: entry.location == nil ? "kind" : "location", reason: .noSuchMachines)
            }
            try await db.execute(
                """
                INSERT INTO waitlist (id, resident_id, kind, location, created_at, expires_at)
                VALUES (\(entry.id), \(entry.residentId), \(entry.kind.rawValue), \(entry.location), \(entry.createdAt),
                    \(entry.expiresAt))
                """)
            return try await Self.places(db, of: residentId, at: now).first { $0.id == entry.id }!
        }
    }

    public func waitlist(of residentId: String, at now: Date) async throws -> [WaitlistPlace] {
        try await read { db in try await Self.places(db, of: residentId, at: now) }
    }

    public func leaveWaitlist(_ id: String, residentId: String) async throws {
        try await write { db in
            let left = try await db.count("DELETE FROM waitlist WHERE id = \(id) AND resident_id = \(residentId) RETURNING 1")
            if left == 0 { throw DeviceStateError.waitlistEntryNotFound(id: id) }
        }
    }

    // MARK: Inside a transaction

    static func waiting(_ db: Transaction, kind: Machine.Kind? = nil) async throws -> [WaitlistEntry] {
        try await db.rows(
            """
            SELECT \(unescaped: WaitlistEntry.postgresColumns) FROM waitlist
            WHERE \(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue)
            """, WaitlistEntry.init(postgres:))
    }

    static func places(_ db: Transaction, of residentId: String, at now: Date) async throws -> [WaitlistPlace] {
        Waitlist.places(of: residentId, in: try await waiting(db), at: now)
    }

    static func dropExpiredWaits(_ db: Transaction, at now: Date) async throws {
        try await db.execute("DELETE FROM waitlist WHERE expires_at <= \(now)")
    }

    /// `machine` has just become free: serves its first waiter, as the SQLite store does.
    static func offerToWaiter(_ db: Transaction, _ machine: Machine, at now: Date) async throws -> Machine {
        guard let entry = Waitlist.firstWaiter(for: machine, among: try await waiting(db, kind: machine.kind), at: now) else {
            return machine
        }
        try await db.execute("DELETE FROM waitlist WHERE id = \(entry.id)")
        var machine = machine
        let minutes = try await setting(db, .waitlistHoldMinutes).flatMap(Int.init) ?? 0
        machine.hold = Waitlist.hold(for: entry, minutes: minutes, at: now)
        _ = try await createAlert(db, .machineFree(machine, for: entry, hold: machine.hold, at: now))
        return machine
    }

    /// Idle machines whose hold ran out: each goes to the next waiter, or to anyone.
    static func endHolds(_ db: Transaction, at now: Date) async throws -> Int {
        let held = try await db.rows(
            """
            SELECT \(unescaped: Machine.postgresColumns) FROM machines
            WHERE held_until <= \(now) AND state = 'idle' AND removed_at IS NULL
            """, Machine.init(postgres:))
        try await dropExpiredWaits(db, at: now)
        for var machine in held {
            machine.hold = nil
            machine.updatedAt = now
            machine = try await offerToWaiter(db, machine, at: now)
            try await change(db, to: MachineStatus(machine: machine, use: nil))
        }
        return held.count
    }
}
