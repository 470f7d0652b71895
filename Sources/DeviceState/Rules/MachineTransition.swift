import Foundation

/// The machine state machine: what each command does to a machine and its open use.
///
/// ```
/// idle ──start──▶ in_use ──collect / cancel / autoRelease / clear──▶ idle
///  any ──markBroken──▶ broken ──markRepaired──▶ idle
/// ```
/// Everything else is a conflict. The function is pure; the store applies its outcome
/// inside the transaction that read `machine` and `openUse`, so two residents racing
/// for one machine see one success and one ``DeviceStateError/machineBusy(_:)``.
public enum MachineCommand: Sendable, Hashable {
    case start(residentId: String)
    case collect(residentId: String)
    case cancel(residentId: String)
    /// The reconciler frees a machine whose use was left long past its end.
    case autoRelease
    /// An admin frees an in-use machine.
    case clear
    case markBroken(note: String)
    case markRepaired
}

/// What applying a ``MachineCommand`` changes.
public struct MachineTransition: Sendable, Hashable {
    public var newState: Machine.State
    public var stateNote: String?
    /// The open use ends with this reason.
    public var closesUse: Use.CloseReason?
    /// The owner of the closed use is told (the machine broke, an admin cleared it, or the
    /// reconciler released it).
    public var alertsOwner: Bool
    /// A repair: the machine's open reports are resolved, and its reporters and the residents
    /// waiting for its kind are told it works again (``Alert/workingAgain(_:openReports:waiting:at:)``).
    public var repairs = false

    /// A resident may cancel only this long after starting; later they collect.
    public static let cancelWindowMinutes = 10

    /// - Throws: ``DeviceStateError`` when the command does not apply to the machine as it is.
    public static func apply(
        _ command: MachineCommand, to machine: Machine, openUse: Use?, at now: Date
    ) throws(DeviceStateError) -> MachineTransition {
        let status = MachineStatus(machine: machine, use: openUse)
        switch (command, machine.state) {
        case (.start(let residentId), .idle):
            if let hold = machine.hold, hold.excludes(residentId, at: now) { throw .machineHeld(status) }
            return MachineTransition(newState: .inUse, stateNote: nil, closesUse: nil, alertsOwner: false)
        case (.start, .inUse):
            throw .machineBusy(status)
        case (.start, .broken):
            throw .machineBroken(status)

        case (.collect(let residentId), .inUse), (.cancel(let residentId), .inUse):
            guard let openUse else { throw .machineNotInUse(status) }
            guard openUse.residentId == residentId else { throw .notUseOwner(useId: openUse.id) }
            if case .cancel = command {
                let window = TimeInterval(cancelWindowMinutes * 60)
                guard now.timeIntervalSince(openUse.startedAt) <= window else {
                    throw .cancelWindowPassed(openUse, windowMinutes: cancelWindowMinutes)
                }
                return MachineTransition(newState: .idle, stateNote: nil, closesUse: .cancelled, alertsOwner: false)
            }
            return MachineTransition(newState: .idle, stateNote: nil, closesUse: .collected, alertsOwner: false)
        case (.autoRelease, .inUse):
            guard openUse != nil else { throw .machineNotInUse(status) }
            return MachineTransition(newState: .idle, stateNote: nil, closesUse: .autoReleased, alertsOwner: true)
        case (.clear, .inUse):
            return MachineTransition(
                newState: .idle, stateNote: nil, closesUse: openUse == nil ? nil : .cleared,
                alertsOwner: openUse != nil)
        case (.collect, _), (.cancel, _), (.autoRelease, _), (.clear, _):
            throw .machineNotInUse(status)

        case (.markBroken(let note), _):
            return MachineTransition(
                newState: .broken, stateNote: note, closesUse: openUse == nil ? nil : .machineBroken,
                alertsOwner: openUse != nil)
        case (.markRepaired, .broken):
            return MachineTransition(newState: .idle, stateNote: nil, closesUse: nil, alertsOwner: false, repairs: true)
        case (.markRepaired, _):
            throw .machineNotBroken(status)
        }
    }
}

extension MachineTransition {
    /// The machine after the transition, changed at `now`.
    public func machine(after machine: Machine, at now: Date) -> Machine {
        var machine = machine
        machine.state = newState
        machine.stateNote = stateNote
        machine.updatedAt = now
        // Any change ends a hold: the waiter started the machine, or it broke. A machine that
        // became free may be held again, for the next waiter (``Waitlist``).
        machine.hold = nil
        if repairs { machine.reportedBy = nil }
        return machine
    }
}
