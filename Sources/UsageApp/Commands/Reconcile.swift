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
            Meant for cron every minute; `washboard serve` runs the same pass every 15 s. Passes may overlap \
            (cron and serve, or two crons): each alert is created once and each use released once. \
            Crontab: * * * * * washboard reconcile --db /var/lib/washboard/washboard.sqlite
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(
        help: ArgumentHelp(
            "Reconcile as if it were this moment (ISO-8601, e.g. 2026-11-22T18:30:00Z), for operators and tests.",
            discussion: "Applies to the notice, use, routing and pruning steps; push messages go out on the real clock.",
            valueName: "time"))
    var now: String?

    @OptionGroup var timing: SharedTimingOptions

    @Flag(help: "Report what the pass would do, and change nothing (no push is sent).")
    var dryRun = false

    @OptionGroup(title: "Web Push") var push: PushOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let now, CommandTime.parse(now) == nil {
            throw ValidationError("--now must be an ISO-8601 time such as 2026-11-22T18:30:00Z, not \(now.debugDescription).")
        }
    }

    func run() async throws {
        try await runAdmin(database) { store in
            let at = now.flatMap(CommandTime.parse) ?? Date()
            var reconciler = Reconciler(
                store: store, policy: timing.policy, retention: timing.retention, ackTimeout: timing.alertAckTimeout,
                pushBudget: .seconds(40))  // so that passes a minute apart do not pile up; serve's worker sends meanwhile
            let report: Reconciler.Report
            if dryRun {
                report = try await reconciler.pass(at: at, dryRun: true)
            } else {
                var logger = Logger(label: "washboard.reconcile")
                logger.logLevel = .warning
                report = try await push.withDelivery(store: store, logger: logger) { delivery in
                    reconciler.delivery = delivery
                    return try await reconciler.pass(at: at)
                }
            }
            try output.print(report) { report.text }
        }
    }
}
