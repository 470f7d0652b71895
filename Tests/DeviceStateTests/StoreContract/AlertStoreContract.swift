import DeviceState
import Foundation
import Testing

@Suite("Store contract: alert routing")
struct AlertStoreContract {
    /// Ada's 45-minute use from `testNow`, her subscription, and the alerts of a pass at `minute`.
    static func dorm(_ backend: StoreBackend, passAt minute: Double) async throws -> (any TestDatabase, Resident) {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        _ = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)
        try await db.store.addTestSubscription(for: ada.id)
        _ = try await db.store.reconcileUses(at: testNow.addingTimeInterval(minute * 60), policy: .init(), dryRun: false)
        return (db, ada)
    }

    @Test(
        "an unacknowledged alert is queued once after the timeout, also by two stores at once",
        arguments: StoreBackend.underTest)
    func once(_ backend: StoreBackend) async throws {
        let (db, _) = try await Self.dorm(backend, passAt: 45)
        let at = testNow.addingTimeInterval(45 * 60)
        #expect(try await db.store.route(createdBefore: at.addingTimeInterval(-10), at: at).isEmpty)
        let other = try db.another()
        let later = at.addingTimeInterval(10)
        async let first = db.store.route(createdBefore: at, at: later)
        async let second = other.route(createdBefore: at, at: later)
        let queued = try await first + second
        #expect(queued.map(\.alert.kind) == [.cycleDone])
        #expect(queued.first.map { !$0.silent && !$0.urgent } == true)
        #expect(queued.first?.useEndsAt == testNow.addingTimeInterval(45 * 60), "Notify's TTL of ending_soon needs it")
        let outbox = try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10)
        #expect(outbox.count == 1)
        #expect(outbox.first?.alertId == queued.first?.alert.id && outbox.first?.topic == "machine-W1")
        #expect(outbox.first?.urgency == .normal && outbox.first?.expiresAt == later.addingTimeInterval(3600), "as drafted")
        #expect(try await db.store.route(createdBefore: later, at: later.addingTimeInterval(60)).isEmpty, "never twice")
    }

    @Test("alerts of residents with no open app are routed by id at once", arguments: StoreBackend.underTest)
    func byId(_ backend: StoreBackend) async throws {
        let (db, ada) = try await Self.dorm(backend, passAt: 45)
        let at = testNow.addingTimeInterval(45 * 60)
        let id = try #require(try await db.store.events(after: 0, limit: 100).last { $0.kind == .alert }?.payloadAlertId)
        #expect(try await db.store.route(createdBefore: .distantPast, ids: ["someone-else"], at: at).isEmpty)
        #expect(try await db.store.route(createdBefore: .distantPast, ids: [id], at: at).map(\.alert.id) == [id])
        #expect(try await TestDrafting.payloads(in: db.store).map(\.alert) == [id])
        #expect(try await db.store.pushOutbox(state: .pending, residentId: ada.id, limit: 10).count == 1)
    }

    @Test(
        "own cycle alerts go out silently during quiet hours, loudly outside them; the dorm default applies",
        arguments: StoreBackend.underTest)
    func quietHours(_ backend: StoreBackend) async throws {
        // testNow is 2026-09-21T14:13:20Z.
        let (db, ada) = try await Self.dorm(backend, passAt: 40)
        _ = try await db.store.setPreferences(
            Preferences(quietHours: try QuietHours(start: "14:00", end: "15:00")), of: ada.id)
        let at = testNow.addingTimeInterval(41 * 60)
        try await db.store.route(createdBefore: at, at: at)
        #expect(try await TestDrafting.payloads(in: db.store).map(\.silent) == [true])

        let (loud, _) = try await Self.dorm(backend, passAt: 40)
        try await loud.store.route(createdBefore: at, at: at)
        #expect(try await TestDrafting.payloads(in: loud.store).map(\.silent) == [false])

        let (dormDefault, _) = try await Self.dorm(backend, passAt: 40)
        try await dormDefault.store.setSetting(.defaultQuietHours, to: #"{"start":"13:00","end":"02:00"}"#)
        try await dormDefault.store.route(createdBefore: at, at: at)
        #expect(try await TestDrafting.payloads(in: dormDefault.store).map(\.silent) == [true])
    }

    @Test(
        "muted kinds, acknowledged alerts, an ending_soon past its end and a cycle_done already collected are never pushed",
        arguments: StoreBackend.underTest)
    func notPushed(_ backend: StoreBackend) async throws {
        let (muted, ada) = try await Self.dorm(backend, passAt: 45)
        _ = try await muted.store.setPreferences(Preferences(mutedAlertKinds: [.cycleDone]), of: ada.id)
        let at = testNow.addingTimeInterval(46 * 60)
        #expect(try await muted.store.route(createdBefore: at, at: at).isEmpty)

        let (stale, _) = try await Self.dorm(backend, passAt: 41)
        #expect(try await stale.store.route(createdBefore: at, at: at).isEmpty)

        let (acked, adaToo) = try await Self.dorm(backend, passAt: 45)
        let alertId = try #require(try await acked.store.events(after: 0, limit: 100).last { $0.kind == .alert }?.payloadAlertId)
        #expect(try await !acked.store.acknowledgeAlert(alertId, residentId: "someone-else", at: at), "only its resident's")
        #expect(try await acked.store.acknowledgeAlert(alertId, residentId: adaToo.id, at: at))
        #expect(try await !acked.store.acknowledgeAlert(alertId, residentId: adaToo.id, at: at), "once")
        #expect(try await acked.store.route(createdBefore: at, at: at).isEmpty)

        let (collected, adaAgain) = try await Self.dorm(backend, passAt: 45)
        let use = try #require(try await collected.store.openUses(of: adaAgain.id).first)
        _ = try await collected.store.collect(useId: use.id, by: adaAgain.id, at: at)
        #expect(try await collected.store.route(createdBefore: at, at: at).isEmpty)

        for db in [muted, stale, acked, collected] {
            #expect(try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10).isEmpty)
            #expect(try await db.store.route(createdBefore: at, at: at.addingTimeInterval(3600)).isEmpty, "settled")
        }
    }

    @Test("a pushed notice waits for the end of quiet hours unless urgent", arguments: StoreBackend.underTest)
    func noticeHeldInQuietHours(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        try await db.store.addTestSubscription(for: ada.id)
        // testNow is 14:13:20 UTC.
        _ = try await db.store.setPreferences(Preferences(quietHours: try QuietHours(start: "14:00", end: "15:00")), of: ada.id)
        _ = try await db.store.postNotice(Notice.test(push: true), at: testNow)
        _ = try await db.store.postNotice(Notice.test(push: true, urgent: true), at: testNow)

        let routed = try await db.store.route(createdBefore: testNow, at: testNow)
        #expect(routed.map(\.urgent) == [true], "the urgent one goes out at once")
        #expect(try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10).map(\.urgency) == [.high])

        let end = try #require(ISO8601DateFormatter().date(from: "2026-09-21T15:00:00Z"))
        #expect(try await db.store.route(createdBefore: end, at: end.addingTimeInterval(-1)).isEmpty)
        #expect(try await db.store.route(createdBefore: end, at: end).map(\.urgent) == [false])
    }
}
