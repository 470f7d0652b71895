import Foundation

/// A limit on how often a resident may do something, named in a 429's detail.
public enum RateLimit: Sendable, Hashable {
    case pickupRequest(machineId: String, minutes: Int)
}

/// Asking the owner of a finished load to collect it.
public enum PickupRequestRule {
    /// One request per requester and machine in this many minutes.
    public static let intervalMinutes = 10

    /// The use a request from `requesterId` is about, given the machine as it is and the
    /// requester's last request for it.
    /// - Throws: ``DeviceStateError/machineNotDone(_:)`` unless a cycle is done and waiting,
    ///   ``DeviceStateError/ownUse(_:)`` for one's own laundry, and
    ///   ``DeviceStateError/rateLimited(retryAfterSeconds:limit:)`` within the interval.
    public static func use(
        toRequest status: MachineStatus, by requesterId: String, lastRequestAt: Date?, at now: Date
    ) throws(DeviceStateError) -> Use {
        guard let use = status.use, use.isDone(at: now) else { throw .machineNotDone(status) }
        guard use.residentId != requesterId else { throw .ownUse(use) }
        if let lastRequestAt {
            let wait = TimeInterval(intervalMinutes * 60) - now.timeIntervalSince(lastRequestAt)
            if wait > 0 {
                throw .rateLimited(
                    retryAfterSeconds: Int(wait.rounded(.up)),
                    limit: .pickupRequest(machineId: status.machine.id, minutes: intervalMinutes))
            }
        }
        return use
    }
}
