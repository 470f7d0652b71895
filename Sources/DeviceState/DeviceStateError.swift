import Foundation

/// Everything the domain refuses, with what a resident or admin needs to put it right.
///
/// UsageApp maps each case to an HTTP status and a problem document, and the admin CLI
/// to a message and an exit code.
public enum DeviceStateError: Error, Sendable, Equatable {
    // Not found
    case machineNotFound(id: String)
    case useNotFound(id: String)
    case residentNotFound(id: String)
    case noticeNotFound(id: String)
    case reportNotFound(id: String)
    case alertNotFound(id: String)

    // Conflicts with the machine's state; each carries the machine as it is now.
    /// A use is open on the machine (also when it is the requester's own).
    case machineBusy(MachineStatus)
    case machineBroken(MachineStatus)
    /// The transition needs an open use and there is none.
    case machineNotInUse(MachineStatus)
    /// `repaired` on a machine that is not broken.
    case machineNotBroken(MachineStatus)
    /// A pickup request on a machine whose cycle is still running.
    case machineNotDone(MachineStatus)
    case machineExists(id: String)
    /// Retracting a notice twice.
    case noticeRetracted(id: String)
    /// Resolving a report twice.
    case reportResolved(id: String)
    /// Starting a machine kept for the waiter who was told it is free.
    case machineHeld(MachineStatus)

    // Waitlist
    /// One entry per resident and kind: this is the one they have.
    case alreadyWaiting(WaitlistEntry)
    case waitlistEntryNotFound(id: String)
    case kioskNotFound(id: String)

    // Uses
    case notUseOwner(useId: String)
    case useAlreadyClosed(Use)
    /// Cancelling is for a use just started; later, the owner collects.
    case cancelWindowPassed(Use, windowMinutes: Int)
    /// A resident asking to be reminded of their own laundry.
    case ownUse(Use)

    // Residents and sessions
    /// Unknown, used, expired or revoked: deliberately one case, so a guesser learns nothing.
    case enrollmentCodeInvalid
    case residentRevoked(id: String)

    // Push
    /// A resident with this many push subscriptions adds another.
    case tooManyPushSubscriptions(limit: Int)

    // Input
    case invalidInput(field: String, reason: InputProblem)
    case idempotencyKeyReused(key: String)
    case rateLimited(retryAfterSeconds: Int, limit: RateLimit)
}

extension DeviceStateError: CustomStringConvertible {
    /// What went wrong, as the catalogue says it; never contains a secret.
    public var message: Message {
        switch self {
        case .machineNotFound(let id): .machineNotFound(id: id)
        case .useNotFound(let id): .useNotFound(id: id)
        case .residentNotFound(let id): .residentNotFound(id: id)
        case .noticeNotFound(let id): .noticeNotFound(id: id)
        case .reportNotFound(let id): .reportNotFound(id: id)
        case .alertNotFound(let id): .alertNotFound(id: id)
        case .machineBusy(let status): .machineBusy(machineId: status.machine.id, endsAt: status.use?.endsAt)
        case .machineBroken(let status): .machineBroken(machineId: status.machine.id, note: status.machine.stateNote)
        case .machineNotInUse(let status): .machineNotInUse(machineId: status.machine.id, state: status.machine.state)
        case .machineNotBroken(let status): .machineNotBroken(machineId: status.machine.id, state: status.machine.state)
        case .machineNotDone(let status):
            if let use = status.use {
                .machineStillRunning(machineId: status.machine.id, endsAt: use.endsAt)
            } else {
                .machineHasNoFinishedCycle(machineId: status.machine.id, state: status.machine.state)
            }
        case .machineExists(let id): .machineExists(id: id)
        case .noticeRetracted(let id): .noticeAlreadyRetracted(id: id)
        case .reportResolved(let id): .reportAlreadyResolved(id: id)
        case .machineHeld(let status):
            .machineHeld(machineId: status.machine.id, until: status.machine.hold?.until ?? .distantPast)
        case .alreadyWaiting(let entry): .alreadyWaiting(kind: entry.kind)
        case .waitlistEntryNotFound(let id): .waitlistEntryNotFound(id: id)
        case .kioskNotFound(let id): .kioskNotFound(id: id)
        case .notUseOwner: .notUseOwner
        case .useAlreadyClosed(let use): .useAlreadyClosed(use.closeReason)
        case .cancelWindowPassed(_, let minutes): .cancelWindowPassed(minutes: minutes)
        case .ownUse: .ownLaundry
        case .enrollmentCodeInvalid: .enrollmentCodeInvalid
        case .residentRevoked(let id): .residentRevoked(id: id)
        case .tooManyPushSubscriptions(let limit): .tooManyPushSubscriptions(limit: limit)
        case .invalidInput(let field, let reason): .invalidInput(field: field, reason: reason)
        case .idempotencyKeyReused: .idempotencyKeyReused
        case .rateLimited(let seconds, let limit): .rateLimited(limit, retryAfterSeconds: seconds)
        }
    }

    /// The message in English, for logs and the admin CLI.
    public var description: String { message.text() }
}
