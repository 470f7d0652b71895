import DeviceState
import Foundation
import Testing

@Suite("Store contract: notices")
struct NoticeStoreContract {
    static func notice(publishAt: Date = testNow, expiresAt: Date? = nil, text: String = "Hall A washers off for repairs")
        -> Notice
    {
        Notice(
            id: UUID().uuidString.lowercased(), text: text, severity: .info, publishAt: publishAt, expiresAt: expiresAt,
            createdAt: testNow)
    }

    static func boardEvents(_ store: some EventLog) async throws -> [Event.Kind] {
        try await store.events(after: 0, limit: 1000).filter { $0.topic == .board && $0.kind != .machine }.map(\.kind)
    }

    @Test(
        "a live notice is on the board at once; a scheduled one is not; text is trimmed and checked",
        arguments: StoreBackend.allCases)
    func post(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let live = try await db.store.postNotice(Self.notice(text: "  Water off 9-12  "), at: testNow)
        #expect(live.text == "Water off 9-12")
        let later = try await db.store.postNotice(Self.notice(publishAt: testNow.addingTimeInterval(3600)), at: testNow)
        #expect(try await db.store.board(at: testNow).notices.map(\.id) == [live.id])
        #expect(try await Self.boardEvents(db.store) == [.notice])
        #expect(Set(try await db.store.notices(includingEnded: false, at: testNow).map(\.id)) == [live.id, later.id])

        await #expect(throws: DeviceStateError.invalidInput(field: "text", reason: .length(1...500))) {
            try await db.store.postNotice(Self.notice(text: String(repeating: "x", count: 501)), at: testNow)
        }
        await #expect(throws: DeviceStateError.invalidInput(field: "expires", reason: .noticeExpiresBeforePublished)) {
            try await db.store.postNotice(Self.notice(expiresAt: testNow), at: testNow)
        }
        var aboutNoMachine = Self.notice()
        aboutNoMachine.machineIds = ["W9"]
        await #expect(throws: DeviceStateError.machineNotFound(id: "W9")) {
            try await db.store.postNotice(aboutNoMachine, at: testNow)
        }
    }

    @Test(
        "retracting takes a live notice off the boards, cancels a scheduled one, and happens once",
        arguments: StoreBackend.allCases)
    func retract(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let live = try await db.store.postNotice(Self.notice(), at: testNow)
        let scheduled = try await db.store.postNotice(Self.notice(publishAt: testNow.addingTimeInterval(3600)), at: testNow)
        _ = try await db.store.retractNotice(live.id, at: testNow)
        _ = try await db.store.retractNotice(scheduled.id, at: testNow)
        #expect(try await Self.boardEvents(db.store) == [.notice, .noticeRemoved], "only what was shown is taken down")
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
