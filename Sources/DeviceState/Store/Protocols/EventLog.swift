import Foundation

/// The event log: every change a client shows, in one order. The live board tails it and
/// resumes from it; `GET /health` reads its head.
///
/// Every method of the other stores that changes something a client shows appends its
/// event in the same transaction as the change.
public protocol EventLog: Sendable {
    /// Told the head `seq` after every commit this process makes.
    var commits: CommitNotifier { get }
    /// Up to `limit` events after `seq`, oldest first.
    func events(after seq: Int64, limit: Int) async throws -> [Event]
    /// The `seq` of the newest event; 0 when there was none.
    func headSeq() async throws -> Int64
    /// The oldest `seq` still in the log, or nil when the log is empty.
    func oldestRetainedSeq() async throws -> Int64?
    /// How often a tailer should look for commits that ``commits`` was not told about.
    var pollInterval: Duration { get }
}

extension EventLog {
    /// Reads every event after `seq` in batches of `batchSize`, oldest first, handing each batch
    /// to `body`; returns the seq of the last event read (`seq` itself when there was none).
    ///
    /// Events committed while it reads are read too: it stops at the first short batch.
    public func readEvents(
        after seq: Int64, batchSize: Int = 500, _ body: ([Event]) async throws -> Void
    ) async throws -> Int64 {
        var cursor = seq
        while true {
            let events = try await events(after: cursor, limit: batchSize)
            guard let last = events.last else { return cursor }
            try await body(events)
            cursor = last.seq
            if events.count < batchSize { return cursor }
        }
    }
}
