import DeviceState
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }
    func advance(by duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}

/// Counts loads and hands out the seq the test sets.
final class BoardSource: Sendable {
    private let state = Mutex((loads: 0, seq: Int64(1)))
    var loads: Int { state.withLock { $0.loads } }
    func setSeq(_ seq: Int64) { state.withLock { $0.seq = seq } }
    func load() -> (seq: Int64, value: String) {
        state.withLock { state in
            state.loads += 1
            return (state.seq, "board@\(state.seq)#\(state.loads)")
        }
    }
}

@Suite("The board cache")
struct BoardCacheTests {
    @Test("within the TTL and without commits, the board is read once")
    func hit() async throws {
        let clock = ManualClock()
        let source = BoardSource()
        let cache = BoardCache<String>(ttl: .seconds(1), clock: clock) { source.load() }

        let first = try await cache.value()
        clock.advance(by: .milliseconds(999))
        let second = try await cache.value()

        #expect(first == second)
        #expect(source.loads == 1)
    }

    @Test("the TTL bounds how stale the board is after a write by another process")
    func ttl() async throws {
        let clock = ManualClock()
        let source = BoardSource()
        let cache = BoardCache<String>(ttl: .seconds(1), clock: clock) { source.load() }
        _ = try await cache.value()

        source.setSeq(2)
        clock.advance(by: .seconds(1))

        #expect(try await cache.value() == "board@2#2")
    }

    @Test("a commit in this process makes the next read fresh at once")
    func invalidation() async throws {
        let clock = ManualClock()
        let source = BoardSource()
        let cache = BoardCache<String>(ttl: .seconds(60), clock: clock) { source.load() }
        _ = try await cache.value()

        source.setSeq(5)
        cache.invalidate(headSeq: 5)

        #expect(try await cache.value() == "board@5#2")
        cache.invalidate(headSeq: 4)
        #expect(try await cache.value() == "board@5#2")
        #expect(source.loads == 2)
    }

    @Test("a reconnect storm of a thousand readers costs one load")
    func singleFlight() async throws {
        let source = BoardSource()
        let gate = Gate()
        let cache = BoardCache<String>(ttl: .seconds(60)) {
            await gate.wait()
            return source.load()
        }
        let readers = 1000
        let arrived = Counter()
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<readers {
                group.addTask {
                    if arrived.increment() == readers { await gate.open() }
                    return try await cache.value()
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(source.loads == 1)
        #expect(values.count == 1)
    }

    @Test("a failed load is not cached; the next reader tries again")
    func failure() async throws {
        struct Failure: Error {}
        let failing = Mutex(true)
        let source = BoardSource()
        let cache = BoardCache<String>(ttl: .seconds(60)) {
            if failing.withLock({ $0 }) { throw Failure() }
            return source.load()
        }
        await #expect(throws: Failure.self) { try await cache.value() }
        failing.withLock { $0 = false }
        #expect(try await cache.value() == "board@1#1")
    }
}

/// Holds loads until every reader has asked.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    /// Adds one and returns the new count.
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
