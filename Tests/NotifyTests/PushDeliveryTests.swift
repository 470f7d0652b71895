import DeviceState
import Foundation
import Logging
import Notify
import Testing
import WebPushTestService

/// The outbox against a real push service on loopback: a real SQLite file, real HTTP, real crypto.
struct PushRig {
    let store: SQLiteStore
    let service: TestPushService
    let sender: PushSender
    let delivery: PushDelivery
    let residentId: String
    let signer: VAPIDSigner

    static func with<T: Sendable>(
        timeout: TimeInterval = 10, concurrency: Int = 8, _ body: @Sendable (PushRig) async throws -> T
    ) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("push-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        return try await TestPushService.withService { service in
            let store = try SQLiteStore(path: path)
            let (resident, _) = try await store.addResident(name: "Ada", room: "101", codeValidFor: 3600, at: Date())
            let signer = try await VAPIDConfiguration.generate(
                subject: try VAPIDSubject("mailto:laundry@dorm.example"), replacing: false, in: store)
            let port = String(service.origin.split(separator: ":").last!)
            var logger = Logger(label: "washboard.push")
            logger.logLevel = .critical
            let sender = PushSender(
                policy: PushEndpointPolicy(allowedHosts: ["127.0.0.1:\(port)"], allowsInsecureLoopback: true),
                totalTimeout: timeout, logger: logger)
            let delivery = PushDelivery(store: store, sender: sender, concurrency: concurrency, logger: logger)
            let rig = PushRig(
                store: store, service: service, sender: sender, delivery: delivery, residentId: resident.id, signer: signer)
            do {
                let result = try await body(rig)
                try await sender.shutdown()
                return result
            } catch {
                try? await sender.shutdown()
                throw error
            }
        }
    }

    @discardableResult
    func subscribe(
        _ script: [TestPushService.Reply] = [], residentId: String? = nil
    ) async throws -> TestPushService.Subscriber {
        let subscriber = service.subscriber(script: script)
        _ = try await store.addPushSubscription(
            residentId: residentId ?? self.residentId, endpoint: subscriber.endpoint, p256dh: subscriber.p256dh,
            auth: subscriber.auth, at: Date())
        return subscriber
    }

    func enqueue(
        _ payload: String = #"{"title":"Dryer 2 is done"}"#, residentId: String? = nil, ttl: TimeInterval = 60,
        urgency: PushUrgency = .high, topic: String? = "machine-d2"
    ) async throws -> [PushOutboxEntry] {
        try await store.enqueuePush(
            PushDraft(
                residentId: residentId ?? self.residentId, payload: payload, urgency: urgency, topic: topic,
                expiresAt: Date().addingTimeInterval(ttl)),
            at: Date())
    }

    func entry(_ id: String) async throws -> PushOutboxEntry {
        try #require(try await store.pushOutboxEntries(ids: [id]).first)
    }

    /// Runs the delivery loop until the push service has answered `count` requests.
    func runUntilReceived(_ count: Int) async -> [TestPushService.Received] {
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await delivery.run(pollInterval: .milliseconds(100)) }
            var received: [TestPushService.Received] = []
            for await request in service.received {
                received.append(request)
                if received.count == count { break }
            }
            tasks.cancelAll()
            return received
        }
    }
}

@Suite("Push outbox delivery", .timeLimit(.minutes(1)))
struct PushDeliveryTests {
    @Test("the payload arrives intact, with its headers and a VAPID token for the service's origin")
    func payloadIntact() async throws {
        try await PushRig.with { rig in
            try await rig.subscribe()
            let payload = #"{"body":"Trockner 2 ist fertig ✓ — 洗濯","kind":"cycle_done","title":"Dryer 2 is done"}"#
            let entry = try #require(try await rig.enqueue(payload).first)

            let reports = try await rig.delivery.deliverDue()

            #expect(reports.map(\.attempt) == [.delivered(status: 201)])
            let received = try #require(rig.service.log.first)
            #expect(received.problem == nil)
            #expect(received.plaintext == Data(payload.utf8))
            #expect(received.urgency == "high")
            #expect(received.topic == "machine-d2")
            #expect((55...60).contains(Int(received.ttl ?? "") ?? -1))
            #expect(received.audience == rig.service.origin)
            #expect(received.subject == "mailto:laundry@dorm.example")
            #expect(received.vapidKey == rig.signer.key.publicKey)
            #expect(received.bodyBytes == 86 + payload.utf8.count + 1 + 16)
            let settled = try await rig.entry(entry.id)
            #expect(settled.state == .delivered)
            #expect(settled.lastStatus == 201)
            #expect(settled.attempts == 1)
        }
    }

    @Test("410 marks the subscription gone (kept for the device list) and settles its messages as gone")
    func goneMarksSubscription() async throws {
        try await PushRig.with { rig in
            try await rig.subscribe([.status(410)])
            let entry = try #require(try await rig.enqueue().first)

            #expect(try await rig.delivery.deliverDue().map(\.attempt) == [.gone(status: 410)])

            let devices = try await rig.store.pushSubscriptions(of: rig.residentId)
            #expect(devices.map(\.health) == [.gone] && devices.first?.lastFailureStatus == 410)
            let settled = try await rig.entry(entry.id)
            #expect(settled.state == .gone)
            #expect(try await rig.enqueue().isEmpty, "nothing more is queued for it")
        }
    }

    @Test("400, 403 and 413 fail with the reason recorded, and are not retried", arguments: [400, 403, 413])
    func rejected(_ status: Int) async throws {
        try await PushRig.with { rig in
            try await rig.subscribe([.status(status)])
            let entry = try #require(try await rig.enqueue().first)

            _ = try await rig.delivery.deliverDue()

            let settled = try await rig.entry(entry.id)
            #expect(settled.state == .failed)
            #expect(settled.lastStatus == status)
            #expect(settled.lastError?.hasPrefix("\(status)") == true)
            #expect(try await rig.delivery.deliverDue().isEmpty)
            #expect(try await rig.store.pushSubscriptions(of: rig.residentId).count == 1)
        }
    }

    @Test("429 with Retry-After: 2 is retried no earlier than 2 s later, then delivered once")
    func retryAfterHonoured() async throws {
        try await PushRig.with { rig in
            try await rig.subscribe([.status(429, retryAfter: "2")])
            let entry = try #require(try await rig.enqueue().first)

            let received = await rig.runUntilReceived(2)

            #expect(received.map(\.status) == [429, 201])
            #expect(received[1].at.timeIntervalSince(received[0].at) >= 2)
            let settled = try await rig.entry(entry.id)
            #expect(settled.state == .delivered)
            #expect(settled.attempts == 2)
            #expect(rig.service.log.filter(\.delivered).count == 1)
        }
    }

    @Test("500 then 201 delivers once")
    func serverErrorThenCreated() async throws {
        try await PushRig.with { rig in
            try await rig.subscribe([.status(500)])
            let entry = try #require(try await rig.enqueue().first)

            let received = await rig.runUntilReceived(2)

            #expect(received.map(\.status) == [500, 201])
            #expect(try await rig.entry(entry.id).state == .delivered)
            #expect(rig.service.log.filter(\.delivered).count == 1)
        }
    }

    @Test("a slow answer hits the timeout and the message is retried, then delivered once")
    func slowAnswerTimesOut() async throws {
        try await PushRig.with(timeout: 1) { rig in
            try await rig.subscribe([.slow(seconds: 4)])
            let entry = try #require(try await rig.enqueue().first)

            // The retry is answered (201) before the slow request's late 504.
            let received = await rig.runUntilReceived(2)

            #expect(received.map(\.status) == [201, 504])
            let settled = try await rig.entry(entry.id)
            #expect(settled.state == .delivered)
            #expect(settled.attempts == 2)
            #expect(rig.service.log.filter(\.delivered).count == 1)
        }
    }

    @Test("a message whose time to live runs out while it waits for a retry is settled as expired")
    func expires() async throws {
        try await PushRig.with { rig in
            try await rig.subscribe([.status(503, retryAfter: "30")])
            let entry = try #require(try await rig.enqueue(ttl: 10).first)

            #expect(try await rig.delivery.deliverDue().count == 1)

            let settled = try await rig.entry(entry.id)
            #expect(settled.state == .expired)
            #expect(settled.lastStatus == 503)
        }
    }

    @Test("two workers on one database deliver each row exactly once")
    func twoWorkers() async throws {
        try await PushRig.with { rig in
            let other = PushDelivery(
                store: try SQLiteStore(path: rig.store.path), sender: rig.sender, batchSize: 16, concurrency: 4)
            let first = PushDelivery(store: rig.store, sender: rig.sender, batchSize: 16, concurrency: 4)
            var ids: Set<String> = []
            for resident in 0..<20 {
                let (added, _) = try await rig.store.addResident(
                    name: "R\(resident)", room: "\(resident)", codeValidFor: 60, at: Date())
                try await rig.subscribe(residentId: added.id)
                for message in 0..<10 {
                    ids.formUnion(try await rig.enqueue("{\"n\":\(message)}", residentId: added.id).map(\.id))
                }
            }
            #expect(ids.count == 200)

            var reportsByWorker: [[String]] = [[], []]
            while true {
                async let a = first.deliverDue()
                async let b = other.deliverDue()
                let (fromFirst, fromOther) = try await (a, b)
                if fromFirst.isEmpty && fromOther.isEmpty { break }
                reportsByWorker[0] += fromFirst.map(\.entry.id)
                reportsByWorker[1] += fromOther.map(\.entry.id)
            }

            let sent = reportsByWorker[0] + reportsByWorker[1]
            #expect(sent.count == 200)
            #expect(Set(sent) == ids)
            #expect(!reportsByWorker[0].isEmpty && !reportsByWorker[1].isEmpty)
            let arrivals = rig.service.log.map { "\($0.subscriberId) \(String(decoding: $0.plaintext ?? Data(), as: UTF8.self))" }
            #expect(arrivals.count == 200)
            #expect(Set(arrivals).count == 200)
            #expect(try await rig.store.pushOutboxCounts() == [.delivered: 200])
        }
    }

    @Test("a lease keeps a row from a second worker until it runs out; the first then cannot settle it")
    func leases() async throws {
        try await PushRig.with { rig in
            try await rig.subscribe()
            let entry = try #require(try await rig.enqueue().first)
            let now = Date()

            let claimedByA = try await rig.store.claimDuePushes(owner: "a", leaseFor: 30, limit: 10, ids: nil, at: now)
            #expect(claimedByA.map(\.entry.id) == [entry.id])
            #expect(try await rig.store.claimDuePushes(owner: "b", leaseFor: 30, limit: 10, ids: nil, at: now).isEmpty)

            let later = now.addingTimeInterval(31)
            let claimedByB = try await rig.store.claimDuePushes(owner: "b", leaseFor: 30, limit: 10, ids: nil, at: later)
            #expect(claimedByB.map(\.entry.attempts) == [2])
            #expect(try await !rig.store.settlePush(entry.id, owner: "a", .delivered(status: 201), at: later))
            #expect(try await rig.store.settlePush(entry.id, owner: "b", .delivered(status: 201), at: later))
            #expect(try await rig.entry(entry.id).state == .delivered)
        }
    }
}
