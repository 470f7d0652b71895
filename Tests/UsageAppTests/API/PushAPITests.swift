import Crypto
import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Notify
import Testing

@testable import UsageApp

@Suite("Web Push REST API")
struct PushAPITests {
    static let p256dh = P256.KeyAgreement.PrivateKey().publicKey.x963Representation.base64URLEncodedString()
    static let auth = Data(repeating: 3, count: 16).base64URLEncodedString()
    static let endpoint = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b"

    static func subscription(endpoint: String = endpoint, p256dh: String? = p256dh, auth: String? = auth) -> ByteBuffer {
        var keys: [String: String] = [:]
        keys["p256dh"] = p256dh
        keys["auth"] = auth
        let body: [String: Any] = ["endpoint": endpoint, "expirationTime": NSNull(), "keys": keys]
        return ByteBuffer(data: try! JSONSerialization.data(withJSONObject: body))
    }

    @Test("the public key: 503 until an admin generates it, then the stored key")
    func publicKey() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer { client in
            let before = try await client.execute(uri: "/api/push/vapid-public-key", method: .get)
            #expect(before.status == .serviceUnavailable)
            #expect(before.headers[.contentType] == "application/problem+json")
            #expect(try before.object["code"] as? String == "push_not_configured")

            let signer = try await VAPIDConfiguration.generate(
                subject: try VAPIDSubject("mailto:a@dorm.example"), replacing: false, in: dorm.store)
            let after = try await client.execute(uri: "/api/push/vapid-public-key", method: .get)
            #expect(after.status == .ok)
            #expect(try after.object["publicKey"] as? String == signer.key.publicKey)
        }
    }

    @Test("the device list: each device's health; a 410 shows as gone, and subscribing again revives it")
    func deviceHealth() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident()
        try await dorm.withServer { client in
            let laptop = "https://updates.push.services.mozilla.com/wpush/v2/laptop"
            for endpoint in [Self.endpoint, laptop] {
                let created = try await client.execute(
                    uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token),
                    body: Self.subscription(endpoint: endpoint))
                #expect(created.status == .created)
            }
            // The push services answer: the phone's accepts, the laptop's says 410.
            let now = Date.currentSecond
            _ = try await dorm.store.enqueuePush(
                PushDraft(residentId: ada.id, payload: "{}", urgency: .normal, topic: nil, expiresAt: now + 600), at: now)
            for claim in try await dorm.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 10, ids: nil, at: now) {
                let settlement: PushSettlement =
                    claim.subscription.endpoint == laptop ? .gone(status: 410) : .delivered(status: 201)
                _ = try await dorm.store.settlePush(claim.entry.id, owner: "w", settlement, at: now)
            }

            func devices() async throws -> [String: [String: Any]] {
                let listed = try await client.execute(uri: "/api/push/subscriptions", method: .get, headers: .bearer(ada.token))
                #expect(listed.status == .ok)
                let devices = try #require(try listed.object["devices"] as? [[String: Any]])
                return Dictionary(uniqueKeysWithValues: devices.map { ($0["endpoint"] as? String ?? "", $0) })
            }
            var listed = try await devices()
            #expect(listed[Self.endpoint]?["health"] as? String == "ok")
            #expect(listed[Self.endpoint]?["lastSuccessAt"] is String && listed[Self.endpoint]?["lastFailureAt"] is NSNull)
            #expect(listed[laptop]?["health"] as? String == "gone")
            #expect(listed[laptop]?["lastFailureStatus"] as? Int == 410)
            #expect(listed[laptop]?["service"] as? String == "https://updates.push.services.mozilla.com")
            #expect(listed.values.allSatisfy { $0["p256dh"] == nil && $0["auth"] == nil }, "keys are never shown")

            let again = try await client.execute(
                uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token),
                body: Self.subscription(endpoint: laptop))
            #expect(again.status == .created)
            listed = try await devices()
            #expect(listed[laptop]?["health"] as? String == "ok" && listed[laptop]?["consecutiveFailures"] as? Int == 0)
        }
    }

    @Test("a test notification: 503 without a VAPID key, then 202 with one message per device, then 429")
    func testNotification() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident()
        try await dorm.withServer { client in
            let test = { try await client.execute(uri: "/api/push/test", method: .post, headers: .bearer(ada.token)) }
            #expect(try await test().status == .serviceUnavailable)
            _ = try await VAPIDConfiguration.generate(
                subject: try VAPIDSubject("mailto:a@dorm.example"), replacing: false, in: dorm.store)
            _ = try await client.execute(
                uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token), body: Self.subscription())
            let first = try await test()
            #expect(try first.status == .accepted && first.object["queued"] as? Int == 1)
            let queued = try await dorm.store.pushOutbox(state: .pending, residentId: ada.id, limit: 10)
            #expect(queued.map(\.topic) == ["washboard-test"])
            #expect(queued.first.map { $0.payload.contains(#""kind":"test""#) } == true)
            for _ in 1..<RateLimit.testNotificationBudget.count { #expect(try await test().status == .accepted) }
            let refused = try await test()
            #expect(refused.status == .tooManyRequests && refused.headers[.retryAfter] != nil)
            #expect(try await client.execute(uri: "/api/push/test", method: .post).status == .unauthorized)
        }
    }

    @Test("subscribe, subscribe again with new keys, unsubscribe, unsubscribe again")
    func lifecycle() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident()
        try await dorm.withServer { client in
            let created = try await client.execute(
                uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token), body: Self.subscription())
            #expect(created.status == .created)
            let id = try #require(try created.object["id"] as? String)
            #expect(try created.object["keys"] == nil, "keys are not echoed")

            let newKey = P256.KeyAgreement.PrivateKey().publicKey.x963Representation.base64URLEncodedString()
            let again = try await client.execute(
                uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token), body: Self.subscription(p256dh: newKey))
            #expect(try again.object["id"] as? String == id)
            #expect(try await dorm.store.pushSubscriptions(of: ada.id).map(\.p256dh) == [newKey])

            for _ in 0..<2 {
                let deleted = try await client.execute(
                    uri: "/api/push/subscriptions", method: .delete, headers: .json(ada.token),
                    body: ByteBuffer(string: #"{"endpoint":"\#(Self.endpoint)"}"#))
                #expect(deleted.status == .noContent)
            }
            #expect(try await dorm.store.pushSubscriptions(of: ada.id).isEmpty)
        }
    }

    @Test(
        "a bad subscription is a 422 naming the field, and stores nothing",
        arguments: [
            (subscription(endpoint: "http://fcm.googleapis.com/fcm/send/x"), "endpoint"),
            (subscription(endpoint: "https://169.254.169.254/latest/meta-data/"), "endpoint"),
            (subscription(endpoint: "https://localhost/push"), "endpoint"),
            (subscription(endpoint: "https://127.0.0.1:8080/api/machines/W1/uses"), "endpoint"),
            (subscription(endpoint: "https://fcm.googleapis.com@evil.example/"), "endpoint"),
            (subscription(endpoint: ""), "endpoint"),
            (subscription(p256dh: nil), "keys.p256dh"),
            (subscription(p256dh: Data([4] + [UInt8](repeating: 7, count: 64)).base64URLEncodedString()), "keys.p256dh"),
            (subscription(auth: Data(count: 8).base64URLEncodedString()), "keys.auth"),
            (subscription(auth: nil), "keys.auth"),
        ])
    func invalid(_ body: ByteBuffer, _ field: String) async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident()
        try await dorm.withServer { client in
            let response = try await client.execute(
                uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token), body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")
            let detail = try #require(try response.object["detail"] as? String)
            #expect(detail.hasPrefix("Invalid \(field):"), "\(detail)")
            #expect(!detail.contains(Self.auth) && !detail.contains(Self.p256dh), "keys are never echoed")
        }
        #expect(try await dorm.store.pushSubscriptions(of: ada.id).isEmpty)
    }

    @Test("no session is a 401; a cookie from a foreign origin is a 403; neither stores anything")
    func unauthorized() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident()
        try await dorm.withServer { client in
            let anonymous = try await client.execute(
                uri: "/api/push/subscriptions", method: .post, headers: .json(), body: Self.subscription())
            #expect(anonymous.status == .unauthorized)
            let foreign = try await client.execute(
                uri: "/api/push/subscriptions", method: .post,
                headers: [.contentType: "application/json", .cookie: "wb_session=\(ada.token)", .origin: "https://evil.example"],
                body: Self.subscription())
            #expect(foreign.status == .forbidden)
        }
        #expect(try await dorm.store.pushSubscriptions(of: ada.id).isEmpty)
    }

    @Test("a resident's eleventh device is refused with 409 until one is removed")
    func limit() async throws {
        let dorm = try await TestDorm()
        let ada = try await dorm.resident()
        try await dorm.withServer { client in
            for device in 0...PushSubscriptionRecord.limitPerResident {
                let response = try await client.execute(
                    uri: "/api/push/subscriptions", method: .post, headers: .json(ada.token),
                    body: Self.subscription(endpoint: "\(Self.endpoint)\(device)"))
                #expect(response.status == (device < PushSubscriptionRecord.limitPerResident ? .created : .conflict))
            }
        }
        #expect(try await dorm.store.pushSubscriptions(of: ada.id).count == PushSubscriptionRecord.limitPerResident)
    }
}
