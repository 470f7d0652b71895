import Foundation

/// When the reconciler tells a resident about their laundry, and when it gives up on them.
public struct ReconcilerPolicy: Sendable, Hashable {
    /// `ending_soon` this long before `endsAt`...
    public var endingSoonLead: TimeInterval = 5 * 60
    /// ...for cycles at least this long (a 5-minute cycle is ending as it starts).
    public var endingSoonMinimumCycle: TimeInterval = 10 * 60
    /// The first `pickup_reminder` this long after `endsAt`, and at least this long after
    /// the `cycle_done` alert (which a pass after downtime sends late)...
    public var firstReminderAfter: TimeInterval = 10 * 60
    /// ...then every `reminderInterval`, at most `maxReminders` in all.
    public var reminderInterval: TimeInterval = 20 * 60
    public var maxReminders = 3
    /// A use still open this long after `endsAt` is closed as `auto_released`, freeing the machine.
    public var autoReleaseAfter: TimeInterval = 2 * 3600

    public init() {}
}

/// What one open use is due at a moment: the pure core of the reconciler's use steps.
///
/// Each alert is named by a dedupe key, so that a pass that runs twice, or two passes at
/// once, create it once. What is stale is dropped, not sent late: an `ending_soon` after
/// the end, reminders that a downtime skipped (only the latest due one is sent), and
/// everything once the use is auto-released.
public struct UseSchedule: Sendable, Hashable {
    public var alerts: [Alert]
    public var autoRelease: Bool

    /// - Parameter cycleDoneAlertedAt: when the use's `cycle_done` alert was created, if it was.
    public init(use: Use, machine: Machine, cycleDoneAlertedAt: Date?, at now: Date, policy: ReconcilerPolicy) {
        guard use.isOpen else {
            self.init(alerts: [], autoRelease: false)
            return
        }
        if now >= use.endsAt.addingTimeInterval(policy.autoReleaseAfter) {
            self.init(alerts: [], autoRelease: true)
            return
        }
        var alerts: [Alert] = []
        func alert(_ kind: Alert.Kind, key: String, title: AlertText, body: AlertText) {
            alerts.append(
                Alert(
                    residentId: use.residentId, kind: kind, title: title, body: body, machineId: machine.id, useId: use.id,
                    dedupeKey: key, at: now))
        }
        let (label, location) = (machine.label, machine.location)
        let cycle = use.endsAt.timeIntervalSince(use.startedAt)
        if cycle >= policy.endingSoonMinimumCycle, now >= use.endsAt.addingTimeInterval(-policy.endingSoonLead),
            now < use.endsAt
        {
            let minutes = max(1, Int((use.endsAt.timeIntervalSince(now) / 60).rounded(.up)))
            alert(
                .endingSoon, key: "ending_soon:\(use.id)", title: .endingSoonTitle(machine: label),
                body: .endingSoonBody(machine: label, location: location, minutes: minutes))
        }
        if now >= use.endsAt {
            alert(
                .cycleDone, key: Alert.cycleDoneKey(useId: use.id), title: .cycleDoneTitle(machine: label),
                body: .cycleDoneBody(machine: label, location: location))
        }
        let sinceFirstReminder = now.timeIntervalSince(use.endsAt.addingTimeInterval(policy.firstReminderAfter))
        let cycleDoneLongEnoughAgo = cycleDoneAlertedAt.map { now.timeIntervalSince($0) >= policy.firstReminderAfter } ?? false
        if sinceFirstReminder >= 0, policy.maxReminders > 0, cycleDoneLongEnoughAgo {
            let number = min(policy.maxReminders, Int(sinceFirstReminder / policy.reminderInterval) + 1)
            let waiting = Int(now.timeIntervalSince(use.endsAt) / 60)
            alert(
                .pickupReminder, key: "pickup_reminder:\(use.id):\(number)", title: .pickupReminderTitle,
                body: .pickupReminderBody(machine: label, location: location, minutesWaiting: waiting))
        }
        self.init(alerts: alerts, autoRelease: false)
    }

    init(alerts: [Alert], autoRelease: Bool) {
        self.alerts = alerts
        self.autoRelease = autoRelease
    }
}

/// What one pass of the use steps did (or, in a dry run, would do).
public struct ReconcileSummary: Codable, Sendable, Hashable {
    public var endingSoon = 0
    public var cycleDone = 0
    public var pickupReminders = 0
    public var autoReleased = 0
    /// Holds that ran out: each machine passed to the next waiter, or freed for anyone.
    public var holdsEnded = 0

    public init() {}

    public var description: String {
        "\(endingSoon) ending_soon, \(cycleDone) cycle_done, \(pickupReminders) pickup_reminder, \(autoReleased) auto-released, "
            + "\(holdsEnded) holds ended"
    }
}
