import Foundation
import GRDB

/// What one reconciler pass did (or, in a dry run, would do).
public struct ReconcileSummary: Codable, Sendable, Hashable {
    public var endingSoon = 0
    public var cycleDone = 0
    public var pickupReminders = 0
    public var autoReleased = 0

    public init() {}

    public var description: String {
        "\(endingSoon) ending_soon, \(cycleDone) cycle_done, \(pickupReminders) pickup_reminder, \(autoReleased) auto-released"
    }
}

extension SQLiteStore {
    /// The reconciler's use steps at `now`: `ending_soon`, `cycle_done`, pickup reminders and
    /// auto-release, in one IMMEDIATE transaction.
    ///
    /// Alerts are inserted by dedupe key (`INSERT … ON CONFLICT DO NOTHING`) and uses are
    /// closed through the state machine, which refuses to close a closed use: two passes at
    /// once, in this process or another, create each alert and release each use once.
    /// A reminder comes at least `firstReminderAfter` after the use's `cycle_done` alert, also
    /// when a pass after downtime sent that alert late.
    /// - Parameter dryRun: compute everything, then roll back.
    public func reconcileUses(at now: Date, policy: ReconcilerPolicy, dryRun: Bool = false) async throws
        -> ReconcileSummary
    {
        try await write(dryRun: dryRun) { db in
            var summary = ReconcileSummary()
            let open = try Use.fetchAll(db, sql: "SELECT * FROM uses WHERE closedAt IS NULL ORDER BY endsAt")
            for use in open {
                let machine = try Self.machineStatus(db, use.machineId).machine
                let schedule = UseSchedule(use: use, machine: machine, at: now, policy: policy)
                if schedule.autoRelease {
                    _ = try Self.apply(db, .autoRelease, machineId: use.machineId, at: now)
                    summary.autoReleased += 1
                }
                for alert in schedule.alerts {
                    if alert.kind == .pickupReminder,
                        try !Self.cycleDoneAlerted(
                            db, useId: use.id, before: now.addingTimeInterval(-policy.firstReminderAfter))
                    {
                        continue
                    }
                    guard try Self.createAlert(db, alert) else { continue }
                    switch alert.kind {
                    case .endingSoon: summary.endingSoon += 1
                    case .cycleDone: summary.cycleDone += 1
                    case .pickupReminder: summary.pickupReminders += 1
                    default: break
                    }
                }
            }
            return summary
        }
    }

    /// Whether the use's `cycle_done` alert exists and was created before `cutoff`.
    private static func cycleDoneAlerted(_ db: Database, useId: String, before cutoff: Date) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM alerts WHERE dedupeKey = ? AND at <= ?)"),
            arguments: ["cycle_done:\(useId)", cutoff]) ?? false
    }
}
