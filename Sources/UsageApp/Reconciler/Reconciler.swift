import DeviceState
import Foundation
import Notify

/// One reconciler pass, every step in order. `serve` runs it every 15 s
/// (``ReconcilerService``), cron every minute (`washboard reconcile`): the same type, built
/// from the same shared options.
///
/// 1. publish due scheduled notices; take expired ones down;
/// 2. `ending_soon`, `cycle_done`, pickup reminders, auto-release (``UseSchedule``);
/// 3. route alerts that no open app acknowledged within ``ackTimeout`` (``AlertRouting``);
/// 4. send due push messages;
/// 5. prune old events, settled push messages and idempotency keys (``Retention``).
///
/// Every step claims its rows with a conditional update, so passes may overlap (cron and
/// serve, two crons) and still do everything once.
struct Reconciler: Sendable {
    let store: any ReconcilerStore & AlertStore
    var policy = ReconcilerPolicy()
    var retention = Retention()
    /// How long an alert sent live waits for its `ack` before it is pushed.
    var ackTimeout: TimeInterval = 10
    /// The dorm's, on whose wall clock quiet hours are read.
    var timeZone = TimeZone.current
    /// Sends due push messages. Without one step 4 is skipped: `serve` has its own worker
    /// sending continuously, with a lease owner of its own.
    var delivery: PushDelivery?
    /// How long step 4 may go on sending full batches; it always sends one.
    var pushBudget: Duration = .zero

    /// What a pass did (or, in a dry run, would do).
    struct Report: Encodable, Sendable {
        var at: Date
        var dryRun: Bool
        var noticesPublished = 0
        var noticesExpired = 0
        var uses = ReconcileSummary()
        var alertsPushed = 0
        var pushAttempts = 0
        var eventsPruned = 0
        var pushesPruned = 0
        var idempotencyKeysPruned = 0
        var alertsPruned = 0
        /// Rows of the dorm's history and expired credentials (``Retention/history``).
        var historyPruned = 0

        var isEmpty: Bool {
            noticesPublished + noticesExpired + alertsPushed + pushAttempts + eventsPruned + pushesPruned
                + idempotencyKeysPruned + alertsPruned + historyPruned == 0 && uses == ReconcileSummary()
        }

        var text: String {
            "reconcile at \(at.iso8601)\(dryRun ? " (dry run)" : ""): \(uses.description), "
                + "\(noticesPublished) notice(s) published, \(noticesExpired) expired, "
                + "\(alertsPushed) alert(s) queued for push, \(pushAttempts) push attempt(s), "
                + "\(eventsPruned) event(s), \(pushesPruned) settled push message(s), "
                + "\(idempotencyKeysPruned) idempotency key(s), \(alertsPruned) alert(s) and "
                + "\(historyPruned) row(s) of history pruned"
        }
    }

    /// Runs every step at `now`; a dry run computes the notice and use steps, rolls them
    /// back, and does nothing else. Push messages go out on the real clock.
    /// - Parameter pruning: whether to run step 5 this time.
    func pass(at now: Date, dryRun: Bool = false, pruning: Bool = true) async throws -> Report {
        var report = Report(at: now, dryRun: dryRun)
        (report.noticesPublished, report.noticesExpired) = try await store.reconcileNotices(at: now, dryRun: dryRun)
        report.uses = try await store.reconcileUses(at: now, policy: policy, dryRun: dryRun)
        guard !dryRun else { return report }
        report.alertsPushed = try await store.routeAlerts(
            createdBefore: now.addingTimeInterval(-ackTimeout), ids: nil, timeZone: timeZone, at: now,
            drafting: AlertPush.draft
        ).count
        if let delivery { report.pushAttempts = try await deliverDuePushes(delivery) }
        guard pruning else { return report }
        let pruned = try await store.prune(before: retention.cutoffs(at: now))
        (report.eventsPruned, report.pushesPruned, report.idempotencyKeysPruned) =
            (pruned.events, pruned.settledPushes, pruned.idempotencyKeys)
        (report.alertsPruned, report.historyPruned) = (pruned.alerts, pruned.history)
        return report
    }

    /// Sends what is due, a batch at a time, while batches come back full and ``pushBudget`` lasts.
    private func deliverDuePushes(_ delivery: PushDelivery) async throws -> Int {
        let deadline = ContinuousClock.now + pushBudget
        var sent = 0
        repeat {
            let reports = try await delivery.deliverDue()
            sent += reports.count
            if reports.count < delivery.batchSize { break }
        } while ContinuousClock.now < deadline
        return sent
    }
}
