import DeviceState
import Foundation
import Testing

@Suite("Store contract: the alert history and each alert's ledger")
struct AlertHistoryContract {
    static let since = testNow.addingTimeInterval(-30 * 86400)

    /// The ledger of Ada's only alert.
    static func ledger(_ db: any TestDatabase, _ ada: Resident) async throws -> AlertLedger {
        let entries = try await db.store.alertHistory(of: ada.id, since: since, before: nil, limit: 10)
        #expect(entries.count == 1)
        return try #require(entries.first).ledger
    }

    @Test(
        "sent live to two sockets, then acknowledged: the ledger says so, and nothing was pushed",
        arguments: StoreBackend.underTest)
    func liveThenAcked(_ backend: StoreBackend) async throws {
        let (db, ada) = try await AlertStoreContract.dorm(backend, passAt: 45)
        let at = testNow.addingTimeInterval(45 * 60)
        let id = try #require(try await db.store.events(after: 0, limit: 100).last { $0.kind == .alert }?.payloadAlertId)
        try await db.store.recordLiveDelivery([LiveDelivery(alertId: id, sockets: 1)], at: at)
        try await db.store.recordLiveDelivery([LiveDelivery(alertId: id, sockets: 1)], at: at.addingTimeInterval(1))
        #expect(try await db.store.acknowledgeAlert(id, residentId: ada.id, at: at.addingTimeInterval(2)))
        try await db.store.route(createdBefore: at.addingTimeInterval(10), at: at.addingTimeInterval(10))

        let ledger = try await Self.ledger(db, ada)
        #expect(ledger.live == AlertLedger.Live(at: at, sockets: 2), "two instances, one socket each; the first time")
        #expect(ledger.ackedAt == at.addingTimeInterval(2))
        #expect(ledger.routed == nil && ledger.held == nil && ledger.pushes.isEmpty)
        #expect(ledger.readAt == nil, "an ack is not a read")
    }

    @Test("no ack: pushed because unacknowledged, with each device's attempt and answer", arguments: StoreBackend.underTest)
    func pushedAfterNoAck(_ backend: StoreBackend) async throws {
        let (db, ada) = try await AlertStoreContract.dorm(backend, passAt: 45)
        let at = testNow.addingTimeInterval(45 * 60 + 10)
        try await db.store.route(createdBefore: at, at: at)
        let claim = try #require(
            try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: at).first)
        #expect(try await db.store.settlePush(claim.entry.id, owner: "w", .delivered(status: 201), at: at.addingTimeInterval(1)))

        let ledger = try await Self.ledger(db, ada)
        #expect(ledger.live == nil && ledger.ackedAt == nil)
        #expect(ledger.routed == AlertLedger.Routed(outcome: .pushed, at: at, because: .unacknowledged))
        #expect(ledger.pushes.map(\.state) == [.delivered] && ledger.pushes.map(\.status) == [201])
        #expect(ledger.pushes.first?.device == claim.subscription.id && ledger.pushes.first?.attempts == 1)
        #expect(ledger.pushes.first?.service == "https://fcm.googleapis.com")
    }

    @Test(
        "a pushed notice in quiet hours is held until they end; an ending_soon past its end is dropped as stale",
        arguments: StoreBackend.underTest)
    func heldAndDropped(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        try await db.store.addTestSubscription(for: ada.id)
        // testNow is 14:13:20 UTC.
        _ = try await db.store.setPreferences(Preferences(quietHours: try QuietHours(start: "14:00", end: "15:00")), of: ada.id)
        _ = try await db.store.postNotice(Notice.test(push: true), at: testNow)
        try await db.store.route(createdBefore: testNow, at: testNow)
        let end = try #require(ISO8601DateFormatter().date(from: "2026-09-21T15:00:00Z"))
        #expect(try await Self.ledger(db, ada).held == AlertLedger.Held(until: end, because: .quietHours))
        try await db.store.route(createdBefore: end, at: end)
        let after = try await Self.ledger(db, ada)
        #expect(after.held?.until == end, "the hold stays in the ledger")
        #expect(after.routed?.outcome == .pushed && after.routed?.at == end)

        let (stale, bea) = try await AlertStoreContract.dorm(backend, passAt: 41)
        let at = testNow.addingTimeInterval(46 * 60)
        try await stale.store.route(createdBefore: at, at: at)
        #expect(try await Self.ledger(stale, bea).routed == AlertLedger.Routed(outcome: .dropped, at: at, because: .stale))
    }

    @Test(
        "read state: by id or all, only the resident's own, newest first in pages, an alerts_read event per change",
        arguments: StoreBackend.underTest)
    func readState(_ backend: StoreBackend) async throws {
        let (db, ada) = try await AlertStoreContract.dorm(backend, passAt: 45)
        // ending_soon at 40 min would have come first: a second pass adds a reminder too.
        _ = try await db.store.reconcileUses(at: testNow.addingTimeInterval(56 * 60), policy: .init(), dryRun: false)
        let all = try await db.store.alertHistory(of: ada.id, since: Self.since, before: nil, limit: 10)
        #expect(all.count == 2 && all[0].alert.at > all[1].alert.at, "newest first")
        let second = try await db.store.alertHistory(of: ada.id, since: Self.since, before: all[0].alert.id, limit: 10)
        #expect(second.map(\.alert.id) == [all[1].alert.id])
        await #expect(throws: DeviceStateError.alertNotFound(id: "nope")) {
            try await db.store.alertHistory(of: ada.id, since: Self.since, before: "nope", limit: 10)
        }

        let (bea, _) = try await db.store.addTestResident("Bea", room: "102")
        let at = testNow.addingTimeInterval(60 * 60)
        #expect(try await db.store.markAlertsRead([all[0].alert.id], of: bea.id, at: at) == 0, "not hers")
        let head = try await db.store.headSeq()
        #expect(try await db.store.markAlertsRead([all[0].alert.id], of: ada.id, at: at) == 1)
        #expect(try await db.store.markAlertsRead([all[0].alert.id], of: ada.id, at: at) == 0, "once")
        #expect(try await db.store.unreadAlerts(of: ada.id, since: Self.since) == 1)
        #expect(try await db.store.markAlertsRead(nil, of: ada.id, at: at.addingTimeInterval(1)) == 1)
        #expect(try await db.store.unreadAlerts(of: ada.id, since: Self.since) == 0)

        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.alertsRead, .alertsRead], "one per change, none when nothing changed")
        #expect(events.allSatisfy { $0.topic == .resident(ada.id) })
        let first = try JSONSerialization.jsonObject(with: events[0].payload) as? [String: Any]
        #expect(first?["ids"] as? [String] == [all[0].alert.id])
        let second2 = try JSONSerialization.jsonObject(with: events[1].payload) as? [String: Any]
        #expect(second2?["ids"] is NSNull, "all of them")
        let history = try await db.store.alertHistory(of: ada.id, since: Self.since, before: nil, limit: 10)
        #expect(history.map(\.ledger.readAt) == [at, at.addingTimeInterval(1)])
    }
}
