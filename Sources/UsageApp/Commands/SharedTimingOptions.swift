import ArgumentParser
import DeviceState
import Foundation

/// Settings that `serve` and cron's `reconcile` must agree on, since both act on them.
struct SharedTimingOptions: ParsableArguments {
    @Option(help: "Seconds an alert sent to an open app waits for its ack before it is pushed (1 to 300).")
    var alertAckTimeout: Double = 10

    @Option(help: "Hours the event log keeps events for clients that resume with since (1 to 720).")
    var eventRetentionHours = 24

    @Option(help: "Days settled push messages are kept for `admin push list` and `admin stats` (1 to 365).")
    var pushHistoryDays = 7

    @Option(help: "Days alerts are kept, for the residents' alert history (30 to 365).")
    var alertHistoryDays = 90

    @Option(
        help: ArgumentHelp(
            "Days the dorm's history is kept: closed uses, resolved reports, ended outages and notices (30 to 3650).",
            discussion: "Sessions unused and enrollment codes and waitlist entries expired this long ago go too."))
    var historyDays = 400

    @Option(help: "Minutes before a cycle's end that ending_soon is sent (1 to 60).")
    var endingSoonMinutes = 5

    @Option(help: "Minutes after cycle_done of the first pickup reminder (1 to 240).")
    var reminderAfterMinutes = 10

    @Option(help: "Minutes between pickup reminders (1 to 240).")
    var reminderEveryMinutes = 20

    @Option(help: "Pickup reminders per use at most (0 to 10).")
    var maxReminders = 3

    @Option(help: "Hours after its end that a use left open is auto-released, freeing the machine (1 to 48).")
    var autoReleaseHours: Double = 2

    func validate() throws {
        guard alertAckTimeout >= 1, alertAckTimeout <= 300 else {
            throw ValidationError("--alert-ack-timeout must be 1 to 300 seconds.")
        }
        guard (1...720).contains(eventRetentionHours) else { throw ValidationError("--event-retention-hours must be 1 to 720.") }
        guard (1...365).contains(pushHistoryDays) else { throw ValidationError("--push-history-days must be 1 to 365.") }
        guard (30...365).contains(alertHistoryDays) else { throw ValidationError("--alert-history-days must be 30 to 365.") }
        guard (30...3650).contains(historyDays) else { throw ValidationError("--history-days must be 30 to 3650.") }
        guard (1...60).contains(endingSoonMinutes) else { throw ValidationError("--ending-soon-minutes must be 1 to 60.") }
        guard (1...240).contains(reminderAfterMinutes) else {
            throw ValidationError("--reminder-after-minutes must be 1 to 240.")
        }
        guard (1...240).contains(reminderEveryMinutes) else {
            throw ValidationError("--reminder-every-minutes must be 1 to 240.")
        }
        guard (0...10).contains(maxReminders) else { throw ValidationError("--max-reminders must be 0 to 10.") }
        guard autoReleaseHours >= 1, autoReleaseHours <= 48 else {
            throw ValidationError("--auto-release-hours must be 1 to 48.")
        }
    }

    var retention: Retention {
        var retention = Retention()
        retention.events = TimeInterval(eventRetentionHours * 3600)
        retention.settledPushes = TimeInterval(pushHistoryDays * 86400)
        retention.alerts = TimeInterval(alertHistoryDays * 86400)
        retention.history = TimeInterval(historyDays * 86400)
        return retention
    }

    var policy: ReconcilerPolicy {
        var policy = ReconcilerPolicy()
        policy.endingSoonLead = TimeInterval(endingSoonMinutes * 60)
        policy.firstReminderAfter = TimeInterval(reminderAfterMinutes * 60)
        policy.reminderInterval = TimeInterval(reminderEveryMinutes * 60)
        policy.maxReminders = maxReminders
        policy.autoReleaseAfter = autoReleaseHours * 3600
        return policy
    }
}
