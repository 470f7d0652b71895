import Foundation
import PostgresNIO

extension PostgresStore: MachineStore {
    public func board(at now: Date) async throws -> Board {
        // One snapshot for the head, the machines and the notices.
        try await transaction { db in
            try await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            let seq = try await Self.headSeq(db)
            let machines = try await Self.machineStatuses(db, includingRemoved: false)
            return Board(seq: seq, machines: machines, notices: try await Self.liveNotices(db, at: now), at: now)
        }
    }

    public func machine(_ id: String) async throws -> MachineStatus {
        try await read { db in try await Self.machineStatus(db, id) }
    }

    public func machines(includingRemoved: Bool) async throws -> [MachineStatus] {
        try await transaction { db in
            try await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return try await Self.machineStatuses(db, includingRemoved: includingRemoved)
        }
    }

    public func addMachine(_ machine: Machine) async throws -> MachineStatus {
        let machine = try InputRules.machine(machine)
        return try await write { db in
            let removed = try await db.value(
                "SELECT removed_at IS NOT NULL FROM machines WHERE id = \(machine.id)", as: Bool.self)
            switch removed {
            case nil:
                try await db.execute(
                    """
                    INSERT INTO machines (id, kind, label, location, cycle_minutes, state, state_note, updated_at)
                    VALUES (\(machine.id), \(machine.kind.rawValue), \(machine.label), \(machine.location),
                        \(machine.cycleMinutes), \(machine.state.rawValue), \(machine.stateNote), \(machine.updatedAt))
                    """)
            case true:
                try await db.execute(
                    """
                    UPDATE machines SET kind = \(machine.kind.rawValue), label = \(machine.label), location = \(machine.location),
                        cycle_minutes = \(machine.cycleMinutes), state = \(machine.state.rawValue),
                        state_note = \(machine.stateNote), updated_at = \(machine.updatedAt), removed_at = NULL,
                        held_for = NULL, held_until = NULL
                    WHERE id = \(machine.id)
                    """)
            case false:
                throw DeviceStateError.machineExists(id: machine.id)
            }
            let status = MachineStatus(machine: machine, use: nil)
            try await db.appendEvent(
                topic: .board, kind: .machine, payload: EventPayload.MachineChanged(machine: status), at: machine.updatedAt)
            return status
        }
    }

    public func removeMachine(_ id: String, at now: Date) async throws {
        try await write { db in
            let status = try await Self.machineStatus(db, id)
            if status.use != nil { throw DeviceStateError.machineBusy(status) }
            try await db.execute("UPDATE machines SET removed_at = \(now), updated_at = \(now) WHERE id = \(id)")
            try await Self.endOutage(db, machineId: id, at: now)
            try await db.appendEvent(topic: .board, kind: .machineRemoved, payload: EventPayload.Removed(id: id), at: now)
        }
    }

    public func apply(_ command: MachineCommand, toMachine id: String, at now: Date) async throws -> MachineStatus {
        try await write { db in try await Self.apply(db, command, machineId: id, at: now).status }
    }

    public func markMachine(_ id: String, broken note: String?, postingNotice: Bool, at now: Date) async throws
        -> RepairOutcome
    {
        try await write { db in
            let command: MachineCommand = note.map { .markBroken(note: $0) } ?? .markRepaired
            let status = try await Self.apply(db, command, machineId: id, at: now).status
            let notices = RepairNotices(
                machine: status.machine, brokenNote: note, postingNotice: postingNotice,
                liveNotices: try await Self.liveNotices(db, at: now), at: now)
            for var notice in notices.toRetract { try await Self.retract(&notice, db, at: now) }
            var posted: Notice?
            if let notice = notices.toPost { posted = try await Self.post(notice, db, at: now) }
            return RepairOutcome(machine: status, notice: posted, retractedNotices: notices.toRetract.map(\.id))
        }
    }

    // MARK: Inside a transaction

    /// The machine and its open use, in one query: every write asks for it first.
    static func machineStatus(_ db: Transaction, _ id: String) async throws -> MachineStatus {
        guard Machine.isValidID(id),
            let status = try await db.row(
                Prepared.MachineStatus(id: id),
                { row in
                    MachineStatus(
                        machine: try Machine(postgres: row),
                        use: try row.optionalText("use_id") == nil ? nil : try Use(postgres: row, prefix: "use_"))
                })
        else { throw DeviceStateError.machineNotFound(id: id) }
        return status
    }

    static func machineStatuses(_ db: Transaction, includingRemoved: Bool) async throws -> [MachineStatus] {
        let machines = try await db.rows(
            "SELECT \(unescaped: Machine.postgresColumns) FROM machines \(unescaped: includingRemoved ? "" : "WHERE removed_at IS NULL")",
            Machine.init(postgres:))
        let openUses = try await db.rows(
            "SELECT \(unescaped: Use.postgresColumns) FROM uses WHERE closed_at IS NULL", { try Use(postgres: $0) })
        let useByMachine = Dictionary(openUses.map { ($0.machineId, $0) }, uniquingKeysWith: { first, _ in first })
        return machines.sorted(by: Machine.isShownBefore).map { MachineStatus(machine: $0, use: useByMachine[$0.id]) }
    }

    /// Applies a command to a machine: closes its use, updates it, appends the event and
    /// alerts the owner of a use it closed against their will.
    static func apply(_ db: Transaction, _ command: MachineCommand, machineId: String, at now: Date) async throws
        -> (status: MachineStatus, closedUse: Use?)
    {
        let before = try await machineStatus(db, machineId)
        let transition = try MachineTransition.apply(command, to: before.machine, openUse: before.use, at: now)
        var closedUse: Use?
        if let reason = transition.closesUse, var use = before.use {
            use.closedAt = now
            use.closeReason = reason
            try await db.execute(Prepared.CloseUse(id: use.id, at: now, reason: reason))
            closedUse = use
        }
        var machine = transition.machine(after: before.machine, at: now)
        if machine.state == .idle, before.machine.state != .idle { machine = try await offerToWaiter(db, machine, at: now) }
        if transition.repairs { try await announceRepair(db, of: machine, at: now) }
        try await recordOutage(db, from: before.machine, to: machine, at: now)
        let after = MachineStatus(machine: machine, use: transition.closesUse == nil ? before.use : nil)
        try await change(db, to: after)
        if transition.alertsOwner, let closedUse {
            try await createAlert(db, .useClosed(closedUse, machine: machine, at: now))
        }
        return (after, closedUse)
    }

    /// Writes the fields a transition changed and appends the machine's event, in one statement.
    static func change(_ db: Transaction, to status: MachineStatus) async throws {
        let payload = try Transaction.json(EventPayload.MachineChanged(machine: status))
        try await db.append(Prepared.ChangeMachine(status.machine, event: payload))
    }

    /// Keeps `machine_outages` in step with a state change, as the SQLite store does.
    static func recordOutage(_ db: Transaction, from before: Machine, to after: Machine, at now: Date) async throws {
        switch (before.state == .broken, after.state == .broken) {
        case (false, true):
            try await db.execute(
                "INSERT INTO machine_outages (machine_id, note, started_at) VALUES (\(after.id), \(after.stateNote), \(now))")
        case (true, true):
            try await db.execute(
                "UPDATE machine_outages SET note = \(after.stateNote) WHERE machine_id = \(after.id) AND ended_at IS NULL")
        case (true, false):
            try await endOutage(db, machineId: after.id, at: now)
        case (false, false):
            break
        }
    }

    static func endOutage(_ db: Transaction, machineId: String, at now: Date) async throws {
        try await db.execute("UPDATE machine_outages SET ended_at = \(now) WHERE machine_id = \(machineId) AND ended_at IS NULL")
    }
}
