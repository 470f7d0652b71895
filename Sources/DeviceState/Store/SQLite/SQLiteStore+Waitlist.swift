import Foundation
import GRDB

extension SQLiteStore: WaitlistStore {
    public func joinWaitlist(kind: Machine.Kind, location: String?, residentId: String, at now: Date) async throws
        -> WaitlistPlace
    {
        try await write { db in
            _ = try Self.resident(db, residentId)
            try Self.dropExpiredWaits(db, at: now)
            let entry = try Waitlist.join(
                kind: kind, location: location, residentId: residentId, existing: try Self.waiting(db, kind: kind), at: now)
            let machines =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM machines WHERE kind = ? AND removedAt IS NULL AND (? IS NULL OR location = ?)",
                    arguments: [kind.rawValue, entry.location, entry.location]) ?? 0
            guard machines > 0 else {
                throw DeviceStateError.invalidInput(field: entry.location == nil ? "kind" : "location", reason: .noSuchMachines)
            }
            try entry.insert(db)
            return try Self.places(db, of: residentId, at: now).first { $0.id == entry.id }!
        }
    }

    public func waitlist(of residentId: String, at now: Date) async throws -> [WaitlistPlace] {
        try await pool.read { db in try Self.places(db, of: residentId, at: now) }
    }

    public func leaveWaitlist(_ id: String, residentId: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM waitlist WHERE id = ? AND residentId = ?", arguments: [id, residentId])
            if db.changesCount == 0 { throw DeviceStateError.waitlistEntryNotFound(id: id) }
        }
    }

    // MARK: Inside a transaction

    static func waiting(_ db: Database, kind: Machine.Kind? = nil) throws -> [WaitlistEntry] {
        try WaitlistEntry.fetchAll(
            db, sql: "SELECT * FROM waitlist WHERE ? IS NULL OR kind = ?", arguments: [kind?.rawValue, kind?.rawValue])
    }

    static func places(_ db: Database, of residentId: String, at now: Date) throws -> [WaitlistPlace] {
        Waitlist.places(of: residentId, in: try waiting(db), at: now)
    }

    static func dropExpiredWaits(_ db: Database, at now: Date) throws {
        try db.execute(sql: "DELETE FROM waitlist WHERE expiresAt <= ?", arguments: [now])
    }

    /// `machine` has just become free: serves its first waiter, if any, who is alerted and
    /// leaves the list; with holds on, the machine is kept for them. Returns the machine as
    /// it is to be written.
    static func offerToWaiter(_ db: Database, _ machine: Machine, at now: Date) throws -> Machine {
        guard let entry = Waitlist.firstWaiter(for: machine, among: try waiting(db, kind: machine.kind), at: now) else {
            return machine
        }
        try db.execute(sql: "DELETE FROM waitlist WHERE id = ?", arguments: [entry.id])
        var machine = machine
        let minutes = try setting(db, .waitlistHoldMinutes).flatMap(Int.init) ?? 0
        machine.hold = Waitlist.hold(for: entry, minutes: minutes, at: now)
        _ = try createAlert(db, .machineFree(machine, for: entry, hold: machine.hold, at: now))
        return machine
    }

    /// Idle machines whose hold ran out: each goes to the next waiter, or to anyone.
    static func endHolds(_ db: Database, at now: Date) throws -> Int {
        let held = try Machine.fetchAll(
            db, sql: "SELECT * FROM machines WHERE heldUntil <= ? AND state = 'idle' AND removedAt IS NULL", arguments: [now])
        try dropExpiredWaits(db, at: now)
        for var machine in held {
            machine.hold = nil
            machine.updatedAt = now
            machine = try offerToWaiter(db, machine, at: now)
            try machine.updateState(db)
            try appendEvent(
                db, topic: .board, kind: .machine,
                payload: EventPayload.MachineChanged(machine: MachineStatus(machine: machine, use: nil)), at: now)
        }
        return held.count
    }
}
