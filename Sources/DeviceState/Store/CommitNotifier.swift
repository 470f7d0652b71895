import Synchronization

/// Tells in-process observers, synchronously, the head `seq` of the event log after each
/// commit that moved it.
///
/// The board cache drops a stale board before the writer's response goes out; the live
/// tailer wakes at once instead of waiting for its next poll. Commits that append no event
/// (the outbox worker's and the alert router's passes, every second) wake nobody.
public final class CommitNotifier: Sendable {
    private let observers = Mutex<[@Sendable (Int64) -> Void]>([])
    private let lastHead = Mutex<Int64>(-1)

    public init() {}

    public func observe(_ observer: @escaping @Sendable (Int64) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func committed(headSeq: Int64) {
        let moved = lastHead.withLock { last in
            defer { last = max(last, headSeq) }
            return headSeq > last
        }
        guard moved else { return }
        for observer in observers.withLock({ $0 }) {
            observer(headSeq)
        }
    }
}
