import DeviceState
import Foundation
import Testing

@Suite("Store contract: push subscriptions and the outbox")
struct PushStoreContract {
    static func endpoint(_ name: String) -> String { "https://fcm.googleapis.com/fcm/send/\(name)" }

    static func draft(_ residentId: String, ttl: TimeInterval = 600) -> PushDraft {
        PushDraft(residentId: residentId, payload: "{}", urgency: .normal, topic: nil, expiresAt: testNow.addingTimeInterval(ttl))
    }

    @Test("the same endpoint again replaces keys and owner; a resident has at most 10 devices", arguments: StoreBackend.underTest)
    func subscriptions(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        let first = try await db.store.addPushSubscription(
            residentId: ada.id, endpoint: Self.endpoint("shared"), p256dh: "k1", auth: "a1", at: testNow)
        let again = try await db.store.addPushSubscription(
            residentId: bob.id, endpoint: Self.endpoint("shared"), p256dh: "k2", auth: "a2", at: testNow)
        #expect(again.id == first.id && again.residentId == bob.id && again.p256dh == "k2")
        #expect(try await db.store.pushSubscriptions(of: ada.id).isEmpty)

        for index in 0..<10 {
            _ = try await db.store.addPushSubscription(
                residentId: ada.id, endpoint: Self.endpoint("ada-\(index)"), p256dh: "k", auth: "a", at: testNow)
        }
        await #expect(throws: DeviceStateError.tooManyPushSubscriptions(limit: 10)) {
            try await db.store.addPushSubscription(
                residentId: ada.id, endpoint: Self.endpoint("ada-10"), p256dh: "k", auth: "a", at: testNow)
        }
        #expect(try await db.store.removePushSubscription(endpoint: Self.endpoint("ada-0"), of: ada.id, at: testNow))
        #expect(try await !db.store.removePushSubscription(endpoint: Self.endpoint("ada-0"), of: ada.id, at: testNow))
        #expect(try await !db.store.removePushSubscription(endpoint: Self.endpoint("shared"), of: ada.id, at: testNow))
        #expect(try await db.store.pushSubscriptions(of: ada.id).count == 9)
    }

    @Test("a message is queued per subscription; removing them all settles what waits as gone", arguments: StoreBackend.underTest)
    func enqueueAndRemoveAll(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        #expect(try await db.store.enqueuePush(Self.draft(ada.id), at: testNow).isEmpty, "no device, no message")
        for name in ["phone", "laptop"] {
            try await db.store.addTestSubscription(for: ada.id, name)
        }
        let queued = try await db.store.enqueuePush(Self.draft(ada.id), at: testNow)
        #expect(
            queued.count == 2 && queued.allSatisfy { $0.state == .pending && $0.endpointOrigin == "https://fcm.googleapis.com" })

        #expect(try await db.store.removeAllPushSubscriptions(reason: .pushKeyReplaced, at: testNow) == 2)
        let settled = try await db.store.pushOutboxEntries(ids: queued.map(\.id))
        #expect(
            settled.allSatisfy { $0.state == .gone && $0.lastError == "the VAPID key was replaced" && $0.subscriptionId == nil })
        #expect(try await db.store.pushOutboxCounts() == [.gone: 2])
    }

    @Test(
        "three refusals in a row (403: another VAPID key) make a subscription failing: nothing more is queued for it",
        arguments: StoreBackend.underTest)
    func failingSubscription(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        try await db.store.addTestSubscription(for: ada.id, "phone")
        try await db.store.addTestSubscription(for: ada.id, "laptop")
        let phone = try #require(try await db.store.pushSubscriptions(of: ada.id).first { $0.endpoint.hasSuffix("phone") })

        /// Queues one message per subscription; the phone's push service refuses its message,
        /// or accepts it with `phoneAccepts`; the laptop's accepts. Returns the number queued.
        func round(_ minute: Double, phoneAccepts: Bool = false) async throws -> Int {
            let at = testNow.addingTimeInterval(minute * 60)
            let queued = try await db.store.enqueuePush(Self.draft(ada.id), at: at)
            for claim in try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: at) {
                let refused = claim.subscription.id == phone.id && !phoneAccepts
                let settlement: PushSettlement =
                    refused ? .failed(status: 403, reason: "403 Forbidden") : .delivered(status: 201)
                #expect(try await db.store.settlePush(claim.entry.id, owner: "w", settlement, at: at))
            }
            return queued.count
        }

        #expect(try await round(1) == 2)
        #expect(try await round(2) == 2)
        #expect(try await round(3, phoneAccepts: true) == 2, "a delivery in between starts the count again")
        #expect(try await round(4) == 2)
        #expect(try await round(5) == 2)
        #expect(try await round(6) == 2, "two refusals since the last delivery: still tried")
        #expect(try await round(7) == 1, "three in a row: only the laptop")
        #expect(try await db.store.pushSubscriptions(of: ada.id).count == 2, "kept, so the app can show it as failing")
        _ = try await db.store.addPushSubscription(
            residentId: ada.id, endpoint: phone.endpoint, p256dh: "k2", auth: "a2", at: testNow.addingTimeInterval(8 * 60))
        #expect(try await round(9, phoneAccepts: true) == 2, "subscribed again: tried again")
    }

    @Test("a lease holds a row for one worker; a lost lease leaves the row to its new holder", arguments: StoreBackend.underTest)
    func leases(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        try await db.store.addTestSubscription(for: ada.id, "phone")
        let entry = try #require(try await db.store.enqueuePush(Self.draft(ada.id), at: testNow).first)
        let other = try db.another()

        async let a = db.store.claimDuePushes(owner: "a", leaseFor: 30, limit: 10, ids: nil, at: testNow)
        async let b = other.claimDuePushes(owner: "b", leaseFor: 30, limit: 10, ids: nil, at: testNow)
        let claims = try await [a, b]
        #expect(claims.map(\.count).sorted() == [0, 1])
        let holder = claims[0].isEmpty ? "b" : "a"
        #expect(claims.joined().first?.subscription.endpoint == Self.endpoint("phone"))

        let later = testNow.addingTimeInterval(31)
        let taken = try await db.store.claimDuePushes(owner: "c", leaseFor: 30, limit: 10, ids: nil, at: later)
        #expect(taken.map(\.entry.attempts) == [2])
        #expect(try await !db.store.settlePush(entry.id, owner: holder, .delivered(status: 201), at: later), "the lease was lost")
        #expect(try await db.store.settlePush(entry.id, owner: "c", .delivered(status: 201), at: later))
        let settled = try #require(try await db.store.pushOutboxEntries(ids: [entry.id]).first)
        #expect(settled.state == .delivered && settled.lastStatus == 201 && settled.settledAt == later)
    }

    @Test(
        "outcomes: a retry waits, a retry past the time to live expires, gone marks the device gone, failed keeps why",
        arguments: StoreBackend.underTest)
    func outcomes(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        try await db.store.addTestSubscription(for: ada.id, "ada")
        try await db.store.addTestSubscription(for: bob.id, "bob")
        let retried = try #require(try await db.store.enqueuePush(Self.draft(ada.id), at: testNow).first)
        let expiring = try #require(try await db.store.enqueuePush(Self.draft(ada.id, ttl: 5), at: testNow).first)
        let refused = try #require(try await db.store.enqueuePush(Self.draft(ada.id), at: testNow).first)
        let gone = try #require(try await db.store.enqueuePush(Self.draft(bob.id), at: testNow).first)
        let bobsNext = try #require(try await db.store.enqueuePush(Self.draft(bob.id), at: testNow).first)
        _ = try await db.store.claimDuePushes(
            owner: "w", leaseFor: 30, limit: 10, ids: [retried.id, expiring.id, refused.id, gone.id], at: testNow)

        let retryAt = testNow.addingTimeInterval(10)
        let lost = try await db.store.settlePushes(
            [
                PushOutcome(id: retried.id, settlement: .retry(at: retryAt, status: 429, reason: "busy"), at: testNow),
                PushOutcome(id: expiring.id, settlement: .retry(at: retryAt, status: 503, reason: "down"), at: testNow),
                PushOutcome(id: refused.id, settlement: .failed(status: 413, reason: "too big"), at: testNow),
                PushOutcome(id: gone.id, settlement: .gone(status: 410), at: testNow),
            ], owner: "w")
        #expect(lost.isEmpty)
        let entries = Dictionary(
            uniqueKeysWithValues: try await db.store.pushOutboxEntries(
                ids: [retried.id, expiring.id, refused.id, gone.id, bobsNext.id]
            ).map { ($0.id, $0) })
        #expect(entries[retried.id]?.state == .pending && entries[retried.id]?.nextAttemptAt == retryAt)
        #expect(entries[expiring.id]?.state == .expired)
        #expect(entries[refused.id]?.state == .failed && entries[refused.id]?.lastError == "too big")
        #expect(entries[gone.id]?.state == .gone && entries[bobsNext.id]?.state == .gone, "the device's other messages too")
        let bobs = try await db.store.pushSubscriptions(of: bob.id)
        #expect(bobs.map(\.health) == [.gone] && bobs.first?.lastFailureStatus == 410, "kept, as gone, for the device list")
        #expect(try await db.store.enqueuePush(Self.draft(bob.id), at: testNow).isEmpty, "nothing more for a gone device")
        let adas = try #require(try await db.store.pushSubscriptions(of: ada.id).first)
        #expect(adas.consecutiveFailures == 3 && adas.lastFailureStatus == 413 && adas.lastSuccessAt == nil)

        #expect(try await db.store.nextPushDue() == retryAt)
        #expect(try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: testNow).isEmpty)
        #expect(try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: retryAt).count == 1)
    }

    @Test("a pending message past its time to live is settled as expired, never sent", arguments: StoreBackend.underTest)
    func expiresUnsent(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        try await db.store.addTestSubscription(for: ada.id, "ada")
        let entry = try #require(try await db.store.enqueuePush(Self.draft(ada.id, ttl: 60), at: testNow).first)
        let late = testNow.addingTimeInterval(61)
        #expect(try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: late).isEmpty)
        let expired = try #require(try await db.store.pushOutboxEntries(ids: [entry.id]).first)
        #expect(expired.state == .expired && expired.lastError == "its time to live ran out before it was sent")
        #expect(try await db.store.pushOutbox(state: .expired, residentId: ada.id, limit: 10).map(\.id) == [entry.id])
    }
}
