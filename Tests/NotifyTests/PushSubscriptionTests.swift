import Crypto
import DeviceState
import Foundation
import Notify
import Testing

@Suite("Push subscription validation")
struct PushSubscriptionTests {
    static let p256dh = P256.KeyAgreement.PrivateKey().publicKey.x963Representation.base64URLEncodedString()
    static let auth = Data(repeating: 9, count: 16).base64URLEncodedString()
    static let endpoint = "https://fcm.googleapis.com/fcm/send/abc:def"

    static func field(
        endpoint: String = endpoint, p256dh: String = p256dh, auth: String = auth, policy: PushEndpointPolicy = .init()
    )
        -> String?
    {
        do {
            _ = try PushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth, policy: policy)
            return nil
        } catch {
            return error.field
        }
    }

    @Test("a browser's subscription is accepted")
    func accepted() {
        #expect(Self.field() == nil)
    }

    @Test(
        "bad keys are refused with the field at fault",
        arguments: [
            // A compressed point: valid on the curve, but not the form browsers send.
            (P256.KeyAgreement.PrivateKey().publicKey.compressedRepresentation.base64URLEncodedString(), auth, "keys.p256dh"),
            // 65 bytes starting 0x04, not on the curve.
            (Data([4] + [UInt8](repeating: 1, count: 64)).base64URLEncodedString(), auth, "keys.p256dh"),
            ("", auth, "keys.p256dh"),
            (
                p256dh.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "+/", auth,
                "keys.p256dh"
            ),
            (p256dh, Data(count: 15).base64URLEncodedString(), "keys.auth"),
            (p256dh, Data(count: 32).base64URLEncodedString(), "keys.auth"),
            (p256dh, "not base64!", "keys.auth"),
        ])
    func badKeys(_ p256dh: String, _ auth: String, _ field: String) {
        #expect(Self.field(p256dh: p256dh, auth: auth) == field)
    }

    @Test(
        "endpoints off the allowlist are refused",
        arguments: [
            "http://fcm.googleapis.com/fcm/send/x", "https://169.254.169.254/latest/meta-data",
            "https://localhost/x", "http://localhost:8080/x", "https://127.0.0.1/x", "https://127.1/x",
            "https://2130706433/x", "https://0x7f.0.0.1/x", "https://[::1]/x", "https://0.0.0.0/x",
            "https://localhost./x", "https://fcm.googleapis.com@evil.example/", "https://evil.example/fcm.googleapis.com",
        ])
    func refusedEndpoints(_ endpoint: String) {
        #expect(Self.field(endpoint: endpoint) == "endpoint")
    }

    @Test("loopback needs both the insecure-loopback flag and its port on the list")
    func loopbackNeedsFlag() {
        let listed = ["127.0.0.1:9999", "localhost:9999"]
        for endpoint in ["http://127.0.0.1:9999/push/x", "http://localhost:9999/push/x"] {
            #expect(Self.field(endpoint: endpoint, policy: .init(allowedHosts: listed)) == "endpoint")
            #expect(Self.field(endpoint: endpoint, policy: .init(allowedHosts: listed, allowsInsecureLoopback: true)) == nil)
        }
        let flagOnly = PushEndpointPolicy(allowsInsecureLoopback: true)
        #expect(Self.field(endpoint: "http://127.0.0.1:9999/push/x", policy: flagOnly) == "endpoint")
        #expect(Self.field(endpoint: "http://[::1]:9999/push/x", policy: flagOnly) == "endpoint")
    }
}

@Suite("Push service answers")
struct PushAttemptTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "each status leads to delivered, gone, retry or rejected",
        arguments: [
            (201, PushAttempt.delivered(status: 201)), (200, .delivered(status: 200)),
            (404, .gone(status: 404)), (410, .gone(status: 410)),
            (429, .retry(status: 429, retryAfter: nil, reason: "r")), (500, .retry(status: 500, retryAfter: nil, reason: "r")),
            (503, .retry(status: 503, retryAfter: nil, reason: "r")),
            (400, .rejected(status: 400, reason: "r")), (403, .rejected(status: 403, reason: "r")),
            (413, .rejected(status: 413, reason: "r")), (301, .rejected(status: 301, reason: "r")),
        ])
    func classify(_ status: Int, _ expected: PushAttempt) {
        #expect(PushAttempt.classify(status: status, retryAfter: nil, reason: "r", at: Self.now) == expected)
    }

    @Test("Retry-After in seconds or as an HTTP date")
    func retryAfter() {
        #expect(
            PushAttempt.classify(status: 429, retryAfter: "2", reason: "r", at: Self.now)
                == .retry(status: 429, retryAfter: 2, reason: "r"))
        let date = "Fri, 15 Jan 2027 08:00:30 GMT"  // 1_800_000_030
        #expect(
            PushAttempt.classify(status: 503, retryAfter: date, reason: "r", at: Self.now)
                == .retry(status: 503, retryAfter: 30, reason: "r"))
        #expect(
            PushAttempt.classify(status: 503, retryAfter: "soon", reason: "r", at: Self.now)
                == .retry(status: 503, retryAfter: nil, reason: "r"))
    }

    @Test("backoff grows, is capped, and never undercuts Retry-After")
    func backoff() {
        let backoff = PushBackoff(base: 1, cap: 60)
        #expect((0.8...1.2).contains(backoff.delay(afterAttempt: 1, retryAfter: nil)))
        #expect((6.4...9.6).contains(backoff.delay(afterAttempt: 4, retryAfter: nil)))
        #expect((48...72).contains(backoff.delay(afterAttempt: 40, retryAfter: nil)))
        #expect(backoff.delay(afterAttempt: 1, retryAfter: 2) >= 2)
    }
}
