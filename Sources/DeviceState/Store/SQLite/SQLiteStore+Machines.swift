import Foundation
import GRDB

extension SQLiteStore: MachineStore {
    public func board(at now: Date) async throws -> Board {
        try await pool.read { db in
            let seq = try Self.headSeq(db)
            let machines = try Self.machineStatuses(db, includingRemoved: false)
            return Board(seq: seq, machines: machines, notices: try Self.liveNotices(db, at: now), at: now)
        }
    }

    public func machine(_ id: String) async throws -> MachineStatus {
        try await pool.read { db in try Self.machineStatus(db, id) }
    }

    public func machines(includingRemoved: Bool) async throws -> [MachineStatus] {
        try await pool.read { db in try Self.machineStatuses(db, includingRemoved: includingRemoved) }
    }

    public func addMachine(_ machine: Machine) async throws -> MachineStatus {
        let machine = try InputRules.machine(machine)
        return try await write { db in
            let removed = try Bool.fetchOne(
                db, sql: "SELECT removedAt IS NOT NULL FROM machines WHERE id = ?", arguments: [machine.id])
            switch removed {
            case nil:
                try machine.insert(db)
            case true:
                try machine.update(db)
                try db.execute(sql: "UPDATE machines SET removedAt = NULL WHERE id = ?", arguments: [machine.id])
            case false:
                throw DeviceStateError.machineExists(id: machine.id)
            }
            let status = MachineStatus(machine: machine, use: nil)
            try Self.appendEvent(
                db, topic: .board, kind: .machine, payload: EventPayload.MachineChanged(machine: status), at: machine.updatedAt)
            return status
        }
    }

    public func removeMachine(_ id: String, at now: Date) async throws {
        try await write { db in
            let status = try Self.machineStatus(db, id)
            if status.use != nil { throw DeviceStateError.machineBusy(status) }
            try db.execute(sql: "UPDATE machines SET removedAt = ?, updatedAt = ? WHERE id = ?", arguments: [now, now, id])
            try Self.endOutage(db, machineId: id, at: now)
            try Self.appendEvent(db, topic: .board, kind: .machineRemoved, payload: EventPayload.Removed(id: id), at: now)
        }
    }

    public func apply(_ command: MachineCommand, toMachine id: String, at now: Date) async throws -> MachineStatus {
        try await write { db in try Self.apply(db, command, machineId: id, at: now).status }
    }

    // MARK: Inside a transaction

    static func machineStatus(_ db: Database, _ id: String) throws -> MachineStatus {
        guard Machine.isValidID(id),
            let machine = try Machine.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM machines WHERE id = ? AND removedAt IS NULL"), arguments: [id])
        else { throw DeviceStateError.machineNotFound(id: id) }
        return MachineStatus(machine: machine, use: try Use.fetchOpen(db, machineId: id))
    }

    static func machineStatuses(_ db: Database, includingRemoved: Bool) throws -> [MachineStatus] {
        let machines = try Machine.fetchAll(
            db, sql: "SELECT * FROM machines" + (includingRemoved ? "" : " WHERE removedAt IS NULL"))
        let openUses = try Use.fetchAll(db, sql: "SELECT * FROM uses WHERE closedAt IS NULL")
        let useByMachine = Dictionary(openUses.map { ($0.machineId, $0) }, uniquingKeysWith: { first, _ in first })
        return
            machines
            .sorted { Machine.isShownBefore($0, $1) }
            .map { MachineStatus(machine: $0, use: useByMachine[$0.id]) }
    }

    /// Applies a command to a machine: closes its use, updates it, appends the event and
    /// alerts the owner of a use it closed against their will.
    static func apply(
        _ db: Database, _ command: MachineCommand, machineId: String, at now: Date
    ) throws -> (status: MachineStatus, closedUse: Use?) {
        let before = try machineStatus(db, machineId)
        let transition = try MachineTransition.apply(command, to: before.machine, openUse: before.use, at: now)
        var closedUse: Use?
        if let reason = transition.closesUse, var use = before.use {
            use.closedAt = now
            use.closeReason = reason
            try use.updateClosed(db)
            closedUse = use
        }
        var machine = transition.machine(after: before.machine, at: now)
        if machine.state == .idle, before.machine.state != .idle { machine = try offerToWaiter(db, machine, at: now) }
        if transition.repairs { try announceRepair(db, of: machine, at: now) }
        try recordOutage(db, from: before.machine, to: machine, at: now)
        let after = MachineStatus(machine: machine, use: transition.closesUse == nil ? before.use : nil)
        try change(db, to: after, at: now)
        if transition.alertsOwner, let closedUse {
            try createAlert(db, .useClosed(closedUse, machine: machine, at: now))
        }
        return (after, closedUse)
    }

    /// Writes the fields a transition changed and appends the machine's event.
    static func change(_ db: Database, to status: MachineStatus, at now: Date) throws {
        try status.machine.updateState(db)
        try appendEvent(db, topic: .board, kind: .machine, payload: EventPayload.MachineChanged(machine: status), at: now)
    }

    /// Keeps `machine_outages` in step with a state change: a row opens when a machine
    /// breaks, takes a new note while it stays broken, and ends when it is repaired.
    static func recordOutage(_ db: Database, from before: Machine, to after: Machine, at now: Date) throws {
        switch (before.state == .broken, after.state == .broken) {
        case (false, true):
            try db.execute(
                sql: "INSERT INTO machine_outages (machineId, note, startedAt) VALUES (?, ?, ?)",
                arguments: [after.id, after.stateNote, now])
        case (true, true):
            try db.execute(
                sql: "UPDATE machine_outages SET note = ? WHERE machineId = ? AND endedAt IS NULL",
                arguments: [after.stateNote, after.id])
        case (true, false):
            try endOutage(db, machineId: after.id, at: now)
        case (false, false):
            break
        }
    }

    static func endOutage(_ db: Database, machineId: String, at now: Date) throws {
        try db.execute(
            sql: "UPDATE machine_outages SET endedAt = ? WHERE machineId = ? AND endedAt IS NULL", arguments: [now, machineId])
    }
}
