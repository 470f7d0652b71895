import DeviceState
import Foundation
import Synchronization
import Testing

@Suite("Store contract: the event log", .timeLimit(.minutes(1)))
struct EventLogContract {
    @Test("events come in order after a seq, in batches; the head and the oldest are known", arguments: StoreBackend.underTest)
    func reading(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        #expect(try await db.store.headSeq() == 0)
        #expect(try await db.store.oldestRetainedSeq() == nil)
        for index in 0..<7 { try await db.store.addTestMachine("W\(index)") }
        let head = try await db.store.headSeq()
        let all = try await db.store.events(after: 0, limit: 100)
        #expect(all.count == 7 && all.last?.seq == head && all.map(\.kind) == Array(repeating: .machine, count: 7))
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.seq < $1.seq })
        #expect(try await db.store.oldestRetainedSeq() == all.first?.seq)
        #expect(try await db.store.events(after: all[2].seq, limit: 2).map(\.seq) == [all[3].seq, all[4].seq])

        var batches: [Int] = []
        let last = try await db.store.readEvents(after: all[0].seq, batchSize: 4) { batches.append($0.count) }
        #expect(batches == [4, 2] && last == head)
    }

    @Test(
        "a commit of this store tells the commit notifier the new head",
        arguments: StoreBackend.underTest)
    func commits(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let heads = HeadRecorder()
        db.store.commits.observe { heads.record($0) }
        try await db.store.addTestMachine("W1")
        #expect(heads.recorded.last == (try await db.store.headSeq()))
        let before = heads.recorded.count
        _ = try await db.store.acknowledgeAlert("none", residentId: "nobody", at: testNow)
        #expect(heads.recorded.count == before, "a commit that appends no event wakes nobody")
    }

    @Test(
        "writers on several connections at once: a tailer that reads as they commit misses no event and sees each once",
        arguments: StoreBackend.underTest)
    func gapFree(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let writers = try (0..<4).map { _ in try db.another() }
        for (index, writer) in writers.enumerated() { try await writer.addTestMachine("W\(index)") }
        let start = try await db.store.headSeq()

        let writing = Flag(true)
        let seen = try await withThrowingTaskGroup(of: [Int64].self) { group in
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { writes in
                    for (index, writer) in writers.enumerated() {
                        writes.addTask {
                            for round in 0..<40 {
                                _ = try await writer.apply(
                                    .markBroken(note: "round \(round)"), toMachine: "W\(index)", at: testNow)
                            }
                        }
                    }
                    try await writes.waitForAll()
                }
                writing.set(false)
                return []
            }
            group.addTask {
                // A tailer: reads after its cursor as often as it can, and once more after the writers are done.
                var cursor = start
                var read: [Int64] = []
                while true {
                    let wasWriting = writing.value
                    let events = try await db.store.events(after: cursor, limit: 25)
                    read += events.map(\.seq)
                    cursor = events.last?.seq ?? cursor
                    if events.isEmpty {
                        if !wasWriting { return read }
                        await Task.yield()
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let all = try await db.store.events(after: start, limit: 1000).map(\.seq)
        #expect(all.count == 4 * 40)
        #expect(seen == all, "read in one order, none skipped, none twice")
    }
}

/// Collects what a commit notifier reports.
final class HeadRecorder: Sendable {
    private let heads = Mutex<[Int64]>([])
    func record(_ head: Int64) { heads.withLock { $0.append(head) } }
    var recorded: [Int64] { heads.withLock { $0 } }
}

/// A flag several tasks read and one sets.
final class Flag: Sendable {
    private let state: Mutex<Bool>
    init(_ value: Bool) { state = Mutex(value) }
    var value: Bool { state.withLock { $0 } }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}
