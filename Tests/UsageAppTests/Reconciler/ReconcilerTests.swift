import DeviceState
import Foundation
import Logging
import Notify
import Testing
import WebPushTestService

@testable import UsageApp

/// The one reconciler pass, as `serve` and cron run it: every step against a real store,
/// pushes to the loopback test push service.
@Suite("The reconciler pass", .timeLimit(.minutes(1)))
struct ReconcilerTests {
    @Test("one pass does every step: notices, cycle alerts, auto-release, routing, push, pruning")
    func everyStep() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident("Ada")
        let bob = try await dorm.resident("Bob")
        // Twenty seconds ago, so that the second pass, 11 s later, is still in the past: push
        // messages go out on the real clock.
        let now = Date.currentSecond - 20
        // Ada's wash in W1 ended 50 minutes ago; Bob's in W2 ended 3 hours ago, with a start
        // key three days old; a notice to push is due; a push was settled eight days ago.
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: now - 95 * 60)
        _ = try await dorm.store.startUse(
            StartUseRequest(machineId: "W2", residentId: bob.id, idempotencyKey: "old"), at: now - 3 * 86400)
        _ = try await dorm.store.postNotice(
            Notice(
                id: "n1", text: "Dryers off at noon", severity: .warning, publishAt: now - 30, push: true, createdAt: now - 3600),
            at: now - 3600)
        _ = try await VAPIDConfiguration.generate(
            subject: try VAPIDSubject("mailto:laundry@dorm.example"), replacing: false, in: dorm.store)

        try await TestPushService.withService { service in
            let phone = service.subscriber()
            _ = try await dorm.store.addPushSubscription(
                residentId: ada.id, endpoint: phone.endpoint, p256dh: phone.p256dh, auth: phone.auth, at: now - 9 * 86400)
            let old = try #require(
                try await dorm.store.enqueuePush(
                    PushDraft(residentId: ada.id, payload: "{}", urgency: .normal, topic: nil, expiresAt: now),
                    at: now - 8 * 86400
                ).first)
            _ = try await dorm.store.claimDuePushes(owner: "old", leaseFor: 30, limit: 1, ids: [old.id], at: now - 8 * 86400)
            try await dorm.store.settlePush(old.id, owner: "old", .delivered(status: 201), at: now - 8 * 86400)

            let port = String(service.origin.split(separator: ":").last!)
            let policy = PushEndpointPolicy(allowedHosts: ["127.0.0.1:\(port)"], allowsInsecureLoopback: true)
            let settings = ServerConfiguration.PushDeliverySettings()
            var logger = Logger(label: "washboard.test.reconciler")
            logger.logLevel = .critical
            let sender = settings.makeSender(policy: policy, logger: logger)
            let reconciler = Reconciler(
                store: dorm.store, ackTimeout: 10,
                delivery: settings.makeDelivery(store: dorm.store, sender: sender, logger: logger))

            let first = try await reconciler.pass(at: now)
            #expect(first.noticesPublished == 1)
            #expect(first.uses.cycleDone == 1 && first.uses.autoReleased == 1)
            #expect(first.alertsPushed == 0, "alerts just created wait the ack timeout for an open app")
            #expect(first.pushesPruned == 1 && first.idempotencyKeysPruned == 1)
            #expect(try await dorm.store.machine("W2").machine.state == .idle)

            let second = try await reconciler.pass(at: now + 11)
            #expect(second.alertsPushed == 4, "the notice for Ada and Bob, Ada's cycle_done, Bob's use_closed (auto-release)")
            #expect(second.pushAttempts == 2, "Ada's phone gets two; Bob has none")
            var pushes = service.received.makeAsyncIterator()
            var kinds: [Alert.Kind] = []
            for _ in 0..<2 {
                let push = try #require(await pushes.next())
                #expect(push.delivered && push.subscriberId == phone.id)
                kinds.append(try JSONDecoder().decode(AlertPush.Payload.self, from: try #require(push.plaintext)).kind)
            }
            #expect(Set(kinds) == [.notice, .cycleDone])
            let third = try await reconciler.pass(at: now + 12)
            #expect(third.alertsPushed == 0 && third.pushAttempts == 0, "once")
            try await sender.shutdown()
        }
        let again = try await dorm.store.startUse(
            StartUseRequest(machineId: "W2", residentId: bob.id, idempotencyKey: "old"), at: now)
        #expect(!again.replayed, "the old key was pruned")
    }

    @Test("serve runs the pass itself: it prunes old push messages and idempotency keys without cron")
    func servePrunes() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident("Ada")
        let long = Date.currentSecond - 10 * 86400
        _ = try await dorm.store.addPushSubscription(
            residentId: ada.id, endpoint: "https://fcm.googleapis.com/fcm/send/ada", p256dh: "k", auth: "a", at: long)
        let expired = try await dorm.store.enqueuePush(
            PushDraft(residentId: ada.id, payload: "{}", urgency: .normal, topic: nil, expiresAt: long + 60), at: long)
        _ = try await dorm.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: long + 120)
        let start = try await dorm.store.startUse(
            StartUseRequest(machineId: "W1", residentId: ada.id, idempotencyKey: "k"), at: long)
        _ = try await dorm.store.collect(useId: start.use.id, by: ada.id, at: long + 60)
        #expect(try await dorm.store.pushOutboxEntries(ids: expired.map(\.id)).map(\.state) == [.expired])

        let server = try await ServerProcess(databasePath: dorm.folder.databasePath, extraArguments: ["--log-level", "info"])
        try await server.waitForLog("1 settled push message(s), 1 idempotency key(s), 0 alert(s)")
        await server.stop(signal: SIGTERM)
        #expect(try await dorm.store.pushOutbox(state: nil, residentId: nil, limit: 10).isEmpty)
        #expect(
            try await !dorm.store.startUse(
                StartUseRequest(machineId: "W1", residentId: ada.id, idempotencyKey: "k"), at: .currentSecond
            ).replayed)
    }
}
