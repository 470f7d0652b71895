import ArgumentParser
import Foundation

/// Settings that `serve` and cron's `reconcile` must agree on, since both act on them.
struct SharedTimingOptions: ParsableArguments {
    @Option(help: "Seconds an alert sent to an open app waits for its ack before it is pushed (1 to 300).")
    var alertAckTimeout: Double = 10

    @Option(help: "Hours the event log keeps events for clients that resume with since (1 to 720).")
    var eventRetentionHours = 24

    func validate() throws {
        guard alertAckTimeout >= 1, alertAckTimeout <= 300 else {
            throw ValidationError("--alert-ack-timeout must be 1 to 300 seconds.")
        }
        guard (1...720).contains(eventRetentionHours) else { throw ValidationError("--event-retention-hours must be 1 to 720.") }
    }

    var eventRetention: TimeInterval { TimeInterval(eventRetentionHours * 3600) }
}
