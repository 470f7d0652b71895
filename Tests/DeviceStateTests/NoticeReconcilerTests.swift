import DeviceState
import Foundation
import Testing

@Suite("Reconciler: scheduled notices and their pushes")
struct NoticeReconcilerTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func notice(publishAt: Date, expiresAt: Date?, push: Bool = true, urgent: Bool = false) -> Notice {
        Notice(
            id: UUID().uuidString.lowercased(), text: "Hall A washers off for repairs", severity: .outage,
            machineIds: ["W1"], publishAt: publishAt, expiresAt: expiresAt, push: push, urgent: urgent, createdAt: testNow)
    }

    static func boardEvents(_ db: TemporaryDatabase) async throws -> [Event.Kind] {
        try await db.store.events(after: 0, limit: 1000).filter { $0.topic == .board && $0.kind != .machine }.map(\.kind)
    }

    @Test("a scheduled notice is announced once when due, with an alert for each active resident, and removed once when expired")
    func scheduled() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        _ = try await db.store.revokeResident(bob.id, at: testNow)
        let publishAt = testNow.addingTimeInterval(3600)
        _ = try await db.store.postNotice(
            Self.notice(publishAt: publishAt, expiresAt: publishAt.addingTimeInterval(3600)), at: testNow)
        #expect(try await Self.boardEvents(db).isEmpty)

        #expect(try await db.store.reconcileNotices(at: publishAt.addingTimeInterval(-1), dryRun: false) == (0, 0))
        let other = try SQLiteStore(path: db.path)
        async let first = db.store.reconcileNotices(at: publishAt, dryRun: false)
        async let second = other.reconcileNotices(at: publishAt, dryRun: false)
        let (a, b) = try await (first, second)
        #expect(a.published + b.published == 1)
        #expect(try await db.store.board(at: publishAt).notices.count == 1)
        let alerts = try await db.store.events(after: 0, limit: 1000).filter { $0.kind == .alert }
        #expect(alerts.map(\.topic) == [.resident(ada.id)], "revoked residents get none")

        #expect(try await db.store.reconcileNotices(at: publishAt.addingTimeInterval(3600), dryRun: false) == (0, 1))
        #expect(try await db.store.reconcileNotices(at: publishAt.addingTimeInterval(7200), dryRun: false) == (0, 0))
        #expect(try await Self.boardEvents(db) == [.notice, .noticeRemoved])
    }

    @Test("a notice posted live is announced at once, not again by the reconciler")
    func postedLive() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        _ = try await db.store.addTestResident()
        _ = try await db.store.postNotice(Self.notice(publishAt: testNow, expiresAt: nil), at: testNow)
        #expect(try await db.store.reconcileNotices(at: testNow.addingTimeInterval(60), dryRun: false) == (0, 0))
        #expect(try await Self.boardEvents(db) == [.notice])
    }

    @Test("a pushed notice waits for the end of quiet hours unless urgent")
    func heldInQuietHours() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        _ = try await db.store.addPushSubscription(
            residentId: ada.id, endpoint: "https://fcm.googleapis.com/fcm/send/ada", p256dh: "k", auth: "a", at: testNow)
        // testNow is 14:13:20 UTC.
        _ = try await db.store.setPreferences(Preferences(quietHours: try QuietHours(start: "14:00", end: "15:00")), of: ada.id)
        _ = try await db.store.postNotice(Self.notice(publishAt: testNow, expiresAt: nil), at: testNow)
        _ = try await db.store.postNotice(Self.notice(publishAt: testNow, expiresAt: nil, urgent: true), at: testNow)

        let routed = try await db.store.routeAlertsToPush(createdBefore: testNow, ids: nil, timeZone: Self.utc, at: testNow)
        #expect(routed.count == 1, "the urgent one goes out at once")
        let outbox = try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10)
        #expect(outbox.map(\.urgency) == ["high"])

        let end = try #require(ISO8601DateFormatter().date(from: "2026-09-21T15:00:00Z"))
        #expect(
            try await db.store.routeAlertsToPush(createdBefore: end, ids: nil, timeZone: Self.utc, at: end.addingTimeInterval(-1))
                .isEmpty)
        #expect(try await db.store.routeAlertsToPush(createdBefore: end, ids: nil, timeZone: Self.utc, at: end).count == 1)
    }

    @Test("the end of quiet hours is the next time the wall clock shows it")
    func quietEnd() throws {
        let quiet = try QuietHours(start: "22:00", end: "07:00")
        let formatter = ISO8601DateFormatter()
        let night = try #require(formatter.date(from: "2026-11-22T23:30:00Z"))
        #expect(formatter.string(from: quiet.end(after: night, in: Self.utc)) == "2026-11-23T07:00:00Z")
        let early = try #require(formatter.date(from: "2026-11-23T03:00:00Z"))
        #expect(formatter.string(from: quiet.end(after: early, in: Self.utc)) == "2026-11-23T07:00:00Z")
    }
}
