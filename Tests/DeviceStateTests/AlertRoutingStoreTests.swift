import DeviceState
import Foundation
import Testing

@Suite("Alert routing in the store")
struct AlertRoutingStoreTests {
    static let utc = TimeZone(identifier: "UTC")!

    /// Ada's 45-minute use from `testNow`, her subscription, and the alerts of a pass at `minute`.
    static func dorm(passAt minute: Double) async throws -> (TemporaryDatabase, Resident) {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        _ = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)
        _ = try await db.store.addPushSubscription(
            residentId: ada.id, endpoint: "https://fcm.googleapis.com/fcm/send/ada", p256dh: "k", auth: "a", at: testNow)
        _ = try await db.store.reconcileUses(at: testNow.addingTimeInterval(minute * 60), policy: .init(), dryRun: false)
        return (db, ada)
    }

    static func payloads(_ db: TemporaryDatabase) async throws -> [AlertPush.Payload] {
        try await db.store.pushOutbox(state: nil, residentId: nil, limit: 100).map {
            try JSONDecoder().decode(AlertPush.Payload.self, from: Data($0.payload.utf8))
        }
    }

    @Test("an unacknowledged alert is queued once after the timeout, also by two stores at once")
    func once() async throws {
        let (db, _) = try await Self.dorm(passAt: 45)
        let at = testNow.addingTimeInterval(45 * 60)
        #expect(
            try await db.store.routeAlertsToPush(createdBefore: at.addingTimeInterval(-10), ids: nil, timeZone: Self.utc, at: at)
                .isEmpty)
        let other = try SQLiteStore(path: db.path)
        let later = at.addingTimeInterval(10)
        async let first = db.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: later)
        async let second = other.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: later)
        let queued = try await first + second
        #expect(queued.map(\.kind) == [.cycleDone])
        let outbox = try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10)
        #expect(outbox.count == 1)
        #expect(outbox.first?.urgency == "high" && outbox.first?.topic == "machine-W1")
        #expect(outbox.first.map { $0.expiresAt.timeIntervalSince(later) } == 3600)
    }

    @Test("own cycle alerts go out silently during quiet hours, loudly outside them; the dorm default applies")
    func quietHours() async throws {
        // testNow is 2026-09-21T14:13:20Z.
        let (db, ada) = try await Self.dorm(passAt: 40)
        _ = try await db.store.setPreferences(
            Preferences(quietHours: try QuietHours(start: "14:00", end: "15:00")), of: ada.id)
        let at = testNow.addingTimeInterval(41 * 60)
        try await db.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at)
        #expect(try await Self.payloads(db).map(\.silent) == [true])

        let (loud, _) = try await Self.dorm(passAt: 40)
        try await loud.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at)
        #expect(try await Self.payloads(loud).map(\.silent) == [false])

        let (dormDefault, _) = try await Self.dorm(passAt: 40)
        try await dormDefault.store.setSetting(SQLiteStore.defaultQuietHoursSetting, to: #"{"start":"13:00","end":"02:00"}"#)
        try await dormDefault.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at)
        #expect(try await Self.payloads(dormDefault).map(\.silent) == [true])
    }

    @Test("muted kinds, acknowledged alerts, an ending_soon past its end and a cycle_done already collected are never pushed")
    func notPushed() async throws {
        let (muted, ada) = try await Self.dorm(passAt: 45)
        _ = try await muted.store.setPreferences(Preferences(mutedAlertKinds: [.cycleDone]), of: ada.id)
        let at = testNow.addingTimeInterval(46 * 60)
        #expect(try await muted.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at).isEmpty)

        let (stale, _) = try await Self.dorm(passAt: 41)
        #expect(try await stale.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at).isEmpty)

        let (acked, adaToo) = try await Self.dorm(passAt: 45)
        let alertId = try #require(try await acked.store.events(after: 0, limit: 100).last { $0.kind == .alert }?.payloadAlertId)
        #expect(try await acked.store.acknowledgeAlert(alertId, residentId: adaToo.id, at: at))
        #expect(try await !acked.store.acknowledgeAlert(alertId, residentId: adaToo.id, at: at), "once")
        #expect(try await acked.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at).isEmpty)

        let (collected, adaAgain) = try await Self.dorm(passAt: 45)
        let use = try #require(try await collected.store.openUses(of: adaAgain.id).first)
        _ = try await collected.store.collect(useId: use.id, by: adaAgain.id, at: at)
        #expect(try await collected.store.routeAlertsToPush(createdBefore: at, ids: nil, timeZone: Self.utc, at: at).isEmpty)

        for db in [muted, stale, acked, collected] {
            #expect(try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10).isEmpty)
        }
    }

    @Test("quiet hours over midnight")
    func overMidnight() throws {
        let quiet = try QuietHours(start: "22:00", end: "07:00")
        let day = ISO8601DateFormatter()
        for (time, inside) in [
            ("21:59", false), ("22:00", true), ("03:00", true), ("06:59", true), ("07:00", false), ("12:00", false),
        ] {
            let date = try #require(day.date(from: "2026-11-22T\(time):00Z"))
            #expect(quiet.contains(date, in: Self.utc) == inside, "\(time)")
        }
    }
}

extension Event {
    var payloadAlertId: String? {
        ((try? JSONSerialization.jsonObject(with: payload) as? [String: Any])?["alert"] as? [String: Any])?["id"] as? String
    }
}

@Suite("Push outbox pruning")
struct PushOutboxPruningTests {
    @Test("settled rows older than the cutoff go, pending rows stay whatever their age")
    func prune() async throws {
        let db = try TemporaryDatabase()
        let (ada, _) = try await db.store.addTestResident()
        _ = try await db.store.addPushSubscription(
            residentId: ada.id, endpoint: "https://fcm.googleapis.com/fcm/send/ada", p256dh: "k", auth: "a", at: testNow)
        let draft = PushDraft(
            residentId: ada.id, payload: "{}", urgency: "normal", topic: nil, expiresAt: testNow.addingTimeInterval(60))
        let delivered = try #require(try await db.store.enqueuePush(draft, at: testNow).first)
        let pending = try #require(try await db.store.enqueuePush(draft, at: testNow).first)
        let claimed = try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 1, ids: [delivered.id], at: testNow)
        #expect(claimed.count == 1)
        try await db.store.settlePush(delivered.id, owner: "w", .delivered(status: 201), at: testNow)

        #expect(try await db.store.prunePushOutbox(settledBefore: testNow) == 0)
        #expect(try await db.store.prunePushOutbox(settledBefore: testNow.addingTimeInterval(1)) == 1)
        #expect(try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10).map(\.id) == [pending.id])
    }
}
