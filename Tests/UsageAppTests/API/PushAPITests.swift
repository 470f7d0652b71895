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
