import Foundation

/// What `admin stats` reads.
public protocol StatsStore: Sendable {
    /// The room's statistics from `since` to `now`, in one read (see ``DormStats``).
    func stats(since: Date, at now: Date, timeZone: TimeZone) async throws -> DormStats
}
