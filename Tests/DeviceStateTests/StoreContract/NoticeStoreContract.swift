import DeviceState
import Foundation
import Testing

@Suite("Store contract: notices")
struct NoticeStoreContract {
    @Test(
        "a live notice is on the board at once; a scheduled one is not; text is trimmed and checked",
        arguments: StoreBackend.underTest)
    func post(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let live = try await db.store.postNotice(Notice.test("  Water off 9-12  ", machineIds: []), at: testNow)
        #expect(live.text == "Water off 9-12")
        let later = try await db.store.postNotice(
            Notice.test(machineIds: [], publishAt: testNow.addingTimeInterval(3600)), at: testNow)
        #expect(try await db.store.board(at: testNow).notices.map(\.id) == [live.id])
        #expect(try await db.store.noticeEventKinds() == [.notice])
        #expect(Set(try await db.store.notices(includingEnded: false, at: testNow).map(\.id)) == [live.id, later.id])

        await #expect(throws: DeviceStateError.invalidInput(field: "text", reason: .length(1...500))) {
            try await db.store.postNotice(Notice.test(String(repeating: "x", count: 501), machineIds: []), at: testNow)
        }
        await #expect(throws: DeviceStateError.invalidInput(field: "expires", reason: .noticeExpiresBeforePublished)) {
            try await db.store.postNotice(Notice.test(machineIds: [], expiresAt: testNow), at: testNow)
        }
        await #expect(throws: DeviceStateError.machineNotFound(id: "W9")) {
            try await db.store.postNotice(Notice.test(machineIds: ["W9"]), at: testNow)
        }
    }

    @Test(
        "retracting takes a live notice off the boards, cancels a scheduled one, and happens once",
        arguments: StoreBackend.underTest)
    func retract(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let live = try await db.store.postNotice(Notice.test(machineIds: []), at: testNow)
        let scheduled = try await db.store.postNotice(
            Notice.test(machineIds: [], publishAt: testNow.addingTimeInterval(3600)), at: testNow)
        _ = try await db.store.retractNotice(live.id, at: testNow)
        _ = try await db.store.retractNotice(scheduled.id, at: testNow)
        #expect(try await db.store.noticeEventKinds() == [.notice, .noticeRemoved], "only what was shown is taken down")
        await #expect(throws: DeviceStateError.noticeRetracted(id: live.id)) {
            try await db.store.retractNotice(live.id, at: testNow)
        }
        await #expect(throws: DeviceStateError.noticeNotFound(id: "nope")) {
            try await db.store.retractNotice("nope", at: testNow)
        }
        let publishAt = testNow.addingTimeInterval(3600)
        #expect(
            try await db.store.reconcileNotices(at: publishAt, dryRun: false) == (0, 0), "a retracted notice is never published")
        #expect(try await db.store.notices(includingEnded: false, at: testNow).isEmpty)
        #expect(try await db.store.notices(includingEnded: true, at: testNow).count == 2)
    }
}
