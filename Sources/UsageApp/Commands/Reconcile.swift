import ArgumentParser
import DeviceState
import Foundation
import Logging
import Notify

/// `washboard reconcile`: one reconciler pass, for cron every minute.
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one reconciler pass: notices, cycle alerts, reminders, auto-release, alert routing, push, pruning.",
        discussion: """
            Meant for cron every minute; `washboard serve` runs the same use steps every 15 s. Passes may overlap \
            (cron and serve, or two crons): each alert is created once and each use released once. \
            Crontab: * * * * * washboard reconcile --db /var/lib/washboard/washboard.sqlite
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(
        help: ArgumentHelp(
            "Reconcile as if it were this moment (ISO-8601, e.g. 2026-11-22T18:30:00Z), for operators and tests.",
            discussion: "Applies to the use steps; push messages go out on the real clock.", valueName: "time"))
    var now: String?

    @OptionGroup var timing: SharedTimingOptions

    @Option(help: "Days `admin push list` keeps settled push messages (1 to 365).")
    var pushHistoryDays = 7

    @Flag(help: "Report what the pass would do, and change nothing (no push is sent).")
    var dryRun = false

    @OptionGroup(title: "Web Push") var push: PushOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...365).contains(pushHistoryDays) else { throw ValidationError("--push-history-days must be 1 to 365.") }
        if let now, CommandTime.parse(now) == nil {
            throw ValidationError("--now must be an ISO-8601 time such as 2026-11-22T18:30:00Z, not \(now.debugDescription).")
        }
    }

    struct Output: Encodable {
        var at: Date
        var dryRun: Bool
        var noticesPublished: Int
        var noticesExpired: Int
        var uses: ReconcileSummary
        var alertsPushed: Int
        var pushAttempts: Int
        var eventsPruned: Int
        var pushesPruned: Int

        var text: String {
            "reconcile at \(at.iso8601)\(dryRun ? " (dry run)" : ""): \(uses.description), "
                + "\(noticesPublished) notice(s) published, \(noticesExpired) expired, "
                + "\(alertsPushed) alert(s) queued for push, \(pushAttempts) push attempt(s), "
                + "\(eventsPruned) event(s) and \(pushesPruned) settled push message(s) pruned"
        }
    }

    func run() async throws {
        try await runAdmin {
            let store = try database.openStore()
            let at = now.flatMap(CommandTime.parse) ?? Date()
            let notices = try await store.reconcileNotices(at: at, dryRun: dryRun)
            let uses = try await store.reconcileUses(at: at, policy: timing.policy, dryRun: dryRun)
            var (routed, sent, eventsPruned, pushesPruned) = (0, 0, 0, 0)
            if !dryRun {
                routed = try await store.routeAlertsToPush(
                    createdBefore: at.addingTimeInterval(-timing.alertAckTimeout), ids: nil, timeZone: .current, at: at
                ).count
                sent = try await deliverDuePushes(store)
                eventsPruned = try await store.pruneEvents(olderThan: at.addingTimeInterval(-timing.eventRetention))
                pushesPruned = try await store.prunePushOutbox(
                    settledBefore: at.addingTimeInterval(-Double(pushHistoryDays) * 86400))
            }
            let result = Output(
                at: at, dryRun: dryRun, noticesPublished: notices.published, noticesExpired: notices.expired, uses: uses,
                alertsPushed: routed, pushAttempts: sent, eventsPruned: eventsPruned,
                pushesPruned: pushesPruned)
            try output.print(result) { result.text }
        }
    }

    /// Sends what is due in the outbox, a batch at a time, for at most 40 s so that passes
    /// a minute apart do not pile up; the server's worker sends meanwhile too.
    private func deliverDuePushes(_ store: SQLiteStore) async throws -> Int {
        var logger = Logger(label: "washboard.reconcile")
        logger.logLevel = .warning
        return try await push.withDelivery(store: store, logger: logger) { delivery in
            let deadline = ContinuousClock.now + .seconds(40)
            var sent = 0
            while ContinuousClock.now < deadline {
                let reports = try await delivery.deliverDue()
                sent += reports.count
                if reports.count < delivery.batchSize { break }
            }
            return sent
        }
    }
}
