import Foundation

/// The reconciler's steps that change the database: scheduled notices, cycle alerts and
/// auto-release, and pruning. Every step claims its rows with a conditional update, so
/// overlapping passes (cron and serve, two crons, several servers) do everything once.
public protocol ReconcilerStore: Sendable {
    /// Announces scheduled notices whose time has come (alerting every active resident of a
    /// pushed one) and takes expired ones off the boards.
    /// - Parameter dryRun: compute everything, then roll back.
    func reconcileNotices(at now: Date, dryRun: Bool) async throws -> (published: Int, expired: Int)
    /// What ``UseSchedule`` says each open use is due: `ending_soon`, `cycle_done`, pickup
    /// reminders, auto-release.
    func reconcileUses(at now: Date, policy: ReconcilerPolicy, dryRun: Bool) async throws -> ReconcileSummary
    /// Deletes events, settled push messages, idempotency keys, alerts and the dorm's history
    /// (``Retention/history``) older than their cutoffs.
    /// The newest event stays, so the head `seq` survives; pending push messages stay whatever their age.
    func prune(before cutoffs: Retention.Cutoffs) async throws -> PruneCounts
}
