import Foundation

/// A limit on how often a resident (or a client address) may do something, named in a 429's detail.
public enum RateLimit: Sendable, Hashable {
    case pickupRequest(machineId: String, minutes: Int)
    /// Wrong enrollment codes from one client address.
    case enrollmentAttempts(Budget)
    case reports(Budget)
    /// Cancelling starts: a resident toggling a machine on every board.
    case cancels(Budget)
    /// Turning notifications on and off.
    case pushSubscriptionChanges(Budget)
    /// "Send me a test notification".
    case testNotifications(Budget)

    /// At most `count` in a sliding window of `minutes`.
    public struct Budget: Sendable, Hashable {
        public var count: Int
        public var minutes: Int

        public init(count: Int, minutes: Int) {
            self.count = count
            self.minutes = minutes
        }

        public var window: TimeInterval { TimeInterval(minutes * 60) }

        /// Whether one more is allowed, given when the earlier ones in the window happened;
        /// nil if so, else how many seconds until the oldest leaves the window.
        public func retryAfter(_ earlier: [Date], at now: Date) -> Int? {
            let recent = earlier.filter { now.timeIntervalSince($0) < window }
            guard recent.count >= count, let oldest = recent.min() else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    /// The budgets, generous for a person and tight for a script. Enrollment counts only
    /// wrong codes: a whole floor enrolling behind one dorm NAT address on move-in day is fine,
    /// guessing is not (codes have 60 bits; ten tries per quarter hour).
    public static let enrollmentBudget = Budget(count: 10, minutes: 15)
    public static let reportBudget = Budget(count: 5, minutes: 60)
    /// A start that is collected is laundry; a start that is cancelled again and again is
    /// noise on every board (and every reconnecting phone).
    public static let cancelBudget = Budget(count: 10, minutes: 10)
    public static let pushChangeBudget = Budget(count: 20, minutes: 60)
    public static let testNotificationBudget = Budget(count: 3, minutes: 10)
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
