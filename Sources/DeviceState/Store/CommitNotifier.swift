import Synchronization

/// Tells in-process observers, synchronously, the head `seq` of the event log after each commit.
///
/// The board cache drops a stale board before the writer's response goes out; the live
/// tailer wakes at once instead of waiting for its next poll.
public final class CommitNotifier: Sendable {
    private let observers = Mutex<[@Sendable (Int64) -> Void]>([])

    public init() {}

    public func observe(_ observer: @escaping @Sendable (Int64) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func committed(headSeq: Int64) {
        for observer in observers.withLock({ $0 }) {
            observer(headSeq)
        }
    }
}
