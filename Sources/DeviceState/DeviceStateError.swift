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
    case invalidInput(field: String, reason: String)
    case idempotencyKeyReused(key: String)
    case rateLimited(retryAfterSeconds: Int, reason: String)
}

extension DeviceStateError: CustomStringConvertible {
    /// One sentence for a person; never contains a secret.
    public var description: String {
        switch self {
        case .machineNotFound(let id): "There is no machine \(id.quotedForMessage)."
        case .useNotFound(let id): "There is no use \(id.quotedForMessage)."
        case .residentNotFound(let id): "There is no resident \(id.quotedForMessage)."
        case .noticeNotFound(let id): "There is no notice \(id.quotedForMessage)."
        case .reportNotFound(let id): "There is no report \(id.quotedForMessage)."
        case .machineBusy(let status):
            "\(status.machine.id) is in use" + (status.use.map { " (its cycle ends \($0.endsAt.iso8601))" } ?? "") + "."
        case .machineBroken(let status):
            "\(status.machine.id) is out of order" + (status.machine.stateNote.map { ": \($0)" } ?? "") + "."
        case .machineNotInUse(let status): "\(status.machine.id) is not in use (it is \(status.machine.state.rawValue))."
        case .machineNotBroken(let status): "\(status.machine.id) is not broken (it is \(status.machine.state.rawValue))."
        case .machineNotDone(let status):
            if let use = status.use {
                "\(status.machine.id) is still running until \(use.endsAt.iso8601); ask once it is done."
            } else {
                "\(status.machine.id) has no finished cycle waiting for pickup (it is \(status.machine.state.rawValue))."
            }
        case .machineExists(let id): "A machine \(id.quotedForMessage) already exists."
        case .noticeRetracted(let id): "Notice \(id.quotedForMessage) was already retracted."
        case .reportResolved(let id): "Report \(id.quotedForMessage) was already resolved."
        case .notUseOwner: "This use belongs to another resident."
        case .useAlreadyClosed(let use): "This use has already ended (\(use.closeReason?.rawValue ?? "closed"))."
        case .cancelWindowPassed(_, let minutes):
            "A use can be cancelled only in its first \(minutes) minutes; collect it instead."
        case .ownUse: "This is your own laundry."
        case .enrollmentCodeInvalid: "This enrollment code is unknown, already used or expired; ask an admin for a new one."
        case .residentRevoked(let id): "Resident \(id.quotedForMessage) has been revoked."
        case .tooManyPushSubscriptions(let limit):
            "A resident can have at most \(limit) devices with notifications on; turn them off on one you no longer use."
        case .invalidInput(let field, let reason): "Invalid \(field): \(reason)."
        case .idempotencyKeyReused:
            "This Idempotency-Key was already used for a different request; use a new key for a new request."
        case .rateLimited(let seconds, let reason): "\(reason) Try again in \(seconds) s."
        }
    }
}

extension String {
    /// The string quoted for an error message, cut short so hostile input cannot flood a log line.
    var quotedForMessage: String {
        let limit = 40
        let shown = count > limit ? prefix(limit) + "…" : Substring(self)
        return "\"" + shown.unicodeScalars.map { $0.properties.isWhitespace && $0 != " " ? " " : String($0) }.joined() + "\""
    }
}

extension Date {
    /// ISO-8601 in UTC with seconds, as in the API.
    public var iso8601: String { formatted(.iso8601) }
}
