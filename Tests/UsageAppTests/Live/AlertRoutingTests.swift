import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Notify
import Testing
import WebPushTestService

@testable import UsageApp

/// Live or push, end to end: the in-process server on a real socket with its outbox worker,
/// a WebSocket client for the resident's open app, and the loopback test push service.
@Suite("Alerts: live or push", .timeLimit(.minutes(1)))
struct AlertRoutingTests {
    struct Rig: Sendable {
        let dorm: TestDorm
        let client: any TestClientProtocol
        let service: TestPushService
        let ada: (id: String, token: String)
        let bob: (id: String, token: String)
        let phone: TestPushService.Subscriber

        /// Bob asks Ada, whose laundry in W1 is done, to collect it.
        func requestPickup() async throws {
            let response = try await client.execute(
                uri: "/api/machines/W1/pickup-requests", method: .post, headers: .json(bob.token), body: ByteBuffer())
            #expect(response.status == .accepted)
        }
    }

    /// Ada's wash in W1 ended 5 minutes ago; her phone is subscribed to push.
    static func withRig(ackTimeout: TimeInterval, _ body: @escaping @Sendable (Rig) async throws -> Void) async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident("Ada")
        let bob = try await dorm.resident("Bob")
        _ = try await dorm.store.startUse(
            StartUseRequest(machineId: "W1", residentId: ada.id), at: Date().addingTimeInterval(-50 * 60))
        _ = try await VAPIDConfiguration.generate(
            subject: try VAPIDSubject("mailto:laundry@dorm.example"), replacing: false, in: dorm.store)
        try await TestPushService.withService { service in
            let phone = service.subscriber()
            _ = try await dorm.store.addPushSubscription(
                residentId: ada.id, endpoint: phone.endpoint, p256dh: phone.p256dh, auth: phone.auth, at: Date())
            let port = String(service.origin.split(separator: ":").last!)
            let policy = PushEndpointPolicy(allowedHosts: ["127.0.0.1:\(port)"], allowsInsecureLoopback: true)
            try await dorm.withServer(pushPolicy: policy, alertAckTimeout: ackTimeout, pushDelivery: .init()) { client in
                try await body(Rig(dorm: dorm, client: client, service: service, ada: ada, bob: bob, phone: phone))
            }
        }
    }

    /// The next `alert` frame's id.
    static func nextAlert(_ iterator: inout WebSocketInboundMessageStream.AsyncIterator) async throws -> String {
        while let message = try await iterator.next() {
            guard case .text(let text) = message, text.contains(#""type":"alert""#) else { continue }
            let frame = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return try #require((frame?["alert"] as? [String: Any])?["id"] as? String)
        }
        throw CancellationError()
    }

    @Test("no open app: the push goes out at once, not after the ack timeout")
    func noConnection() async throws {
        try await Self.withRig(ackTimeout: 30) { rig in
            let requested = Date()
            try await rig.requestPickup()
            var pushes = rig.service.received.makeAsyncIterator()
            let push = try #require(await pushes.next())
            #expect(push.delivered && push.subscriberId == rig.phone.id)
            #expect(push.at.timeIntervalSince(requested) < 30, "sent before the ack timeout could have run out")
            let payload = try JSONDecoder().decode(AlertPush.Payload.self, from: try #require(push.plaintext))
            #expect(payload.kind == .pickupRequest && payload.tag == "machine-W1" && !payload.silent)
            #expect(push.urgency == "high" && push.topic == "machine-W1")
            #expect((1700...1800).contains(Int(push.ttl ?? "") ?? 0), "a pickup request is news for 30 minutes")
        }
    }

    @Test("an open app that acks: no push, also when cron routes long after")
    func acknowledged() async throws {
        try await Self.withRig(ackTimeout: 2) { rig in
            try await rig.dorm.live(port: rig.client.port!, token: rig.ada.token) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                try await rig.requestPickup()
                let alert = try await Self.nextAlert(&messages)
                try await outbound.write(.text(#"{"type":"ack","alert":"\#(alert)"}"#))
                // The server reads in order: the pong means the ack was recorded.
                try await outbound.write(.text(#"{"type":"ping","t":1}"#))
                while let message = try await messages.next() {
                    if case .text(let text) = message, text.contains(#""type":"pong""#) { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            let routed = try await rig.dorm.store.routeAlerts(
                createdBefore: Date().addingTimeInterval(3600), ids: nil, timeZone: .current, at: Date().addingTimeInterval(3600),
                drafting: AlertPush.draft)
            #expect(routed.isEmpty)
            #expect(rig.service.log.isEmpty)
        }
    }

    @Test("an open app that does not ack: the push goes out after the ack timeout")
    func unacknowledged() async throws {
        try await Self.withRig(ackTimeout: 3) { rig in
            try await rig.dorm.live(port: rig.client.port!, token: rig.ada.token) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                try await rig.requestPickup()
                let alert = try await Self.nextAlert(&messages)
                let shown = Date()
                var pushes = rig.service.received.makeAsyncIterator()
                let push = try #require(await pushes.next())
                let payload = try JSONDecoder().decode(AlertPush.Payload.self, from: try #require(push.plaintext))
                #expect(payload.id == alert)
                // Alert times are whole seconds, so the timeout may end up to 1 s before the frame.
                #expect(push.at.timeIntervalSince(shown) >= 2)
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(rig.service.log.count == 1)
        }
    }
}
