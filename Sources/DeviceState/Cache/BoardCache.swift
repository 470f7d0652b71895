import Synchronization

/// The board, kept in memory in its encoded form, keyed by the head `seq` it was read at.
///
/// - A write in this process calls ``invalidate(headSeq:)`` before it answers, so its
///   author never reads an older board afterwards.
/// - Writes by other processes (the admin CLI, cron) are seen when ``ttl`` runs out.
/// - Concurrent misses share one load: a reconnect storm of thousands of requests costs
///   one database read.
///
/// `Encoded` is whatever the server sends: UsageApp keeps the response body and its ETag.
public final class BoardCache<Encoded: Sendable>: Sendable {
    public typealias Load = @Sendable () async throws -> (seq: Int64, value: Encoded)

    private struct Entry {
        var seq: Int64
        var value: Encoded
        var loadedAt: Duration
    }

    private typealias Loading = Task<(seq: Int64, value: Encoded), any Error>

    private struct InFlight {
        var id: Int
        var startedAt: Duration
        var task: Loading
    }

    private struct State {
        var entry: Entry?
        /// The highest head `seq` this process knows of.
        var knownHead: Int64 = 0
        var inFlight: InFlight?
        var nextLoadID = 0
    }

    private enum Lookup {
        case hit(Encoded)
        case wait(InFlight)
    }

    public let ttl: Duration
    private let load: Load
    private let state = Mutex(State())
    /// Time since the cache was made, measured on the clock given to `init`.
    private let elapsed: @Sendable () -> Duration

    /// - Parameter clock: what ``ttl`` is measured by; tests pass one they move by hand.
    public init<C: Clock<Duration>>(ttl: Duration, clock: C = ContinuousClock(), load: @escaping Load) {
        self.ttl = ttl
        self.load = load
        let origin = clock.now
        self.elapsed = { origin.duration(to: clock.now) }
    }

    /// The cached board, or a fresh one when it is stale.
    public func value() async throws -> Encoded {
        let now = elapsed()
        let lookup = state.withLock { state -> Lookup in
            if let entry = state.entry, entry.seq >= state.knownHead, now < entry.loadedAt + ttl {
                return .hit(entry.value)
            }
            if let inFlight = state.inFlight { return .wait(inFlight) }
            let load = self.load
            let inFlight = InFlight(id: state.nextLoadID, startedAt: now, task: Task { try await load() })
            state.nextLoadID += 1
            state.inFlight = inFlight
            return .wait(inFlight)
        }
        let inFlight: InFlight
        switch lookup {
        case .hit(let value): return value
        case .wait(let loading): inFlight = loading
        }
        do {
            let loaded = try await inFlight.task.value
            state.withLock { state in
                if state.inFlight?.id == inFlight.id { state.inFlight = nil }
                if loaded.seq >= state.entry?.seq ?? .min {
                    state.entry = Entry(seq: loaded.seq, value: loaded.value, loadedAt: inFlight.startedAt)
                }
                state.knownHead = max(state.knownHead, loaded.seq)
            }
            return loaded.value
        } catch {
            state.withLock { state in
                if state.inFlight?.id == inFlight.id { state.inFlight = nil }
            }
            throw error
        }
    }

    /// A commit in this process moved the head of the log to `headSeq`: boards read before it are stale,
    /// and so is a load already under way, which may have read before the commit.
    public func invalidate(headSeq: Int64) {
        state.withLock { state in
            if headSeq > state.knownHead {
                state.knownHead = headSeq
                state.inFlight = nil
            }
        }
    }
}
