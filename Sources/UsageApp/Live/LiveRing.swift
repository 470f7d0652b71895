import DeviceState
import Synchronization

/// The newest published frames, so that a connection resuming with `since` (a whole dorm's
/// phones after a restart or a network blip) is served from memory, not from the event log.
///
/// It covers the seqs after ``floor`` up to ``head``, the tailer's cursor: every event in
/// that range is here (other residents' too, to be filtered per connection). The tailer
/// fills it before it publishes anything (``warm(after:head:oldest:events:)``).
final class LiveRing: Sendable {
    let capacity: Int

    private struct State {
        var frames: [LiveFrame] = []
        var floor: Int64 = 0
        var head: Int64 = 0
        var isWarm = false
    }
    private let state = Mutex(State())

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// Starts the ring at the tailer's first cursor `head`, with every event after `from` up to it.
    func warm(after from: Int64, head: Int64, oldest: Int64?, events: [Event]) {
        let frames = events.map { LiveFrame($0) }
        state.withLock { state in
            state.frames = frames
            // Below the oldest retained event, the log has nothing to resume from either.
            state.floor = max(from, (oldest ?? head + 1) - 1)
            state.head = head
            state.isWarm = true
        }
    }

    /// Called by the hub before the frames reach any connection.
    func append(_ frames: [LiveFrame], head: Int64) {
        state.withLock { state in
            state.frames += frames
            state.head = max(state.head, head)
            // Trimmed in steps, not frame by frame.
            if state.frames.count > capacity + capacity / 4 {
                let dropped = state.frames.count - capacity
                state.floor = state.frames[dropped - 1].seq
                state.frames.removeFirst(dropped)
            }
        }
    }

    /// The head and the frames after `since`, or nil when the ring cannot tell (before the
    /// tailer's first read, `since` older than the ring, or newer than the tailer has read).
    func frames(after since: Int64) -> (head: Int64, frames: ArraySlice<LiveFrame>)? {
        state.withLock { state in
            guard state.isWarm, since >= state.floor, since <= state.head else { return nil }
            let start = state.frames.partitioningIndex { $0.seq > since }
            return (state.head, state.frames[start...])
        }
    }
}

extension Array {
    /// The first index whose element satisfies `isAfter`, for a predicate that is false and then true.
    fileprivate func partitioningIndex(where isAfter: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
