import Synchronization

/// A connection's bounded queue of frames: the hub pushes without waiting, the connection's
/// writer takes them out. A connection that falls `capacity` frames behind is *overflowed*:
/// it must resync, and it never slows the hub or the others.
final class Mailbox: Sendable {
    enum Next: Sendable {
        case frame(LiveFrame)
        /// More than `capacity` frames were waiting: some were dropped.
        case overflowed
        /// The hub is shutting down.
        case shutdown
    }

    private struct State {
        var frames: [LiveFrame] = []
        var head = 0
        var overflowed = false
        var shutdown = false
        var waiter: CheckedContinuation<Void, Never>?
        var overflowWaiter: CheckedContinuation<Void, Never>?

        var isEmpty: Bool { head == frames.count }
        var count: Int { frames.count - head }

        mutating func takeWaiters(includingOverflow: Bool) -> [CheckedContinuation<Void, Never>] {
            var waiters = [waiter].compactMap { $0 }
            waiter = nil
            if includingOverflow, let overflowWaiter {
                waiters.append(overflowWaiter)
                self.overflowWaiter = nil
            }
            return waiters
        }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func push(_ frame: LiveFrame) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.shutdown else { return [] }
            if state.count >= capacity {
                state.overflowed = true
                return state.takeWaiters(includingOverflow: true)
            }
            state.frames.append(frame)
            return state.takeWaiters(includingOverflow: false)
        }
        for waiter in waiters { waiter.resume() }
    }

    func shutDown() {
        let waiters = state.withLock { state in
            state.shutdown = true
            return state.takeWaiters(includingOverflow: true)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Forgets an overflow and what is queued: the caller catches up from the event log instead.
    func resetAfterOverflow() {
        state.withLock { state in
            state.overflowed = false
            state.frames = []
            state.head = 0
        }
    }

    var hasOverflowed: Bool { state.withLock { $0.overflowed } }

    /// Waits until the mailbox overflows (true) or shuts down or the task is cancelled (false).
    ///
    /// The connection's writer cannot notice an overflow while it is stuck writing to a
    /// client that stopped reading; this wait notices it for the writer.
    func waitUntilOverflowed() async -> Bool {
        while true {
            let done = state.withLock { $0.overflowed ? true : $0.shutdown ? false : nil }
            if let done { return done }
            if Task.isCancelled { return false }
            await suspend(.overflow)
        }
    }

    /// The next frame, waiting for one if needed. Cancellation ends the wait with `.shutdown`.
    func next() async -> Next {
        while true {
            if let next = take() { return next }
            if Task.isCancelled { return .shutdown }
            await suspend(.frame)
        }
    }

    private enum Waiter { case frame, overflow }

    /// Suspends until `push` or `shutDown` wakes the waiter, unless there is already something to see.
    private func suspend(_ waiter: Waiter) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.overflowed || state.shutdown || (waiter == .frame && !state.isEmpty) { return true }
                    switch waiter {
                    case .frame: state.waiter = continuation
                    case .overflow: state.overflowWaiter = continuation
                    }
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                switch waiter {
                case .frame:
                    defer { state.waiter = nil }
                    return state.waiter
                case .overflow:
                    defer { state.overflowWaiter = nil }
                    return state.overflowWaiter
                }
            }
            continuation?.resume()
        }
    }

    private func take() -> Next? {
        state.withLock { state in
            if state.overflowed { return .overflowed }
            if !state.isEmpty {
                let frame = state.frames[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.frames.count {
                    state.frames.removeFirst(state.head)
                    state.head = 0
                }
                return .frame(frame)
            }
            return state.shutdown ? .shutdown : nil
        }
    }
}
