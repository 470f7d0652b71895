import DeviceState
import Foundation
import Synchronization
import Testing

@Suite("Store contract: the event log")
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
}

/// Collects what a commit notifier reports.
final class HeadRecorder: Sendable {
    private let heads = Mutex<[Int64]>([])
    func record(_ head: Int64) { heads.withLock { $0.append(head) } }
    var recorded: [Int64] { heads.withLock { $0 } }
}
