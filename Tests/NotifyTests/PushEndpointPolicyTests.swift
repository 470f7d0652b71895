import Foundation
import Notify
import Testing

/// Push endpoints come from browsers and the server POSTs to them: every way to aim it elsewhere must fail.
@Suite("Push endpoint allowlist")
struct PushEndpointPolicyTests {
    @Test(
        "the push services of the major browsers are accepted",
        arguments: [
            "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
            "https://web.push.apple.com/QGuQyavXutnMH1wEjEQ",
            "https://wns2-by3p.notify.windows.com/w/?token=BQYAAAB",
            "https://FCM.googleapis.com:443/fcm/send/x",
        ])
    func accepted(_ endpoint: String) throws {
        _ = try PushEndpointPolicy().check(endpoint)
    }

    @Test(
        "attacks and mistakes are refused",
        arguments: [
            ("http://fcm.googleapis.com/fcm/send/x", PushEndpointPolicy.Rejection.schemeNotAllowed("http")),
            ("ftp://fcm.googleapis.com/x", .schemeNotAllowed("ftp")),
            ("file:///etc/passwd", .notAURL),
            ("https://169.254.169.254/latest/meta-data", .hostNotAllowed("169.254.169.254")),
            ("https://127.0.0.1/admin", .hostNotAllowed("127.0.0.1")),
            ("https://localhost:8080/api", .hostNotAllowed("localhost")),
            ("https://fcm.googleapis.com.evil.example/x", .hostNotAllowed("fcm.googleapis.com.evil.example")),
            ("https://evilfcm.googleapis.com/x", .hostNotAllowed("evilfcm.googleapis.com")),
            ("https://notify.windows.com/x", .hostNotAllowed("notify.windows.com")),
            ("https://evil.example#@fcm.googleapis.com/x", .hostNotAllowed("evil.example")),
            ("https://fcm.googleapis.com@evil.example/x", .credentialsInURL),
            ("https://user:pass@fcm.googleapis.com/x", .credentialsInURL),
            ("https://fcm.googleapis.com:8443/x", .hostNotAllowed("fcm.googleapis.com")),
            ("not a url", .notAURL),
            ("", .notAURL),
            ("https://" + String(repeating: "a", count: 3000) + ".com", .notAURL),
        ])
    func refused(_ endpoint: String, _ rejection: PushEndpointPolicy.Rejection) {
        #expect(throws: rejection) { try PushEndpointPolicy().check(endpoint) }
    }

    @Test("plain http reaches loopback only when explicitly allowed, and only listed loopback ports")
    func insecureLoopback() throws {
        let strict = PushEndpointPolicy(allowedHosts: ["127.0.0.1:9999"])
        #expect(throws: PushEndpointPolicy.Rejection.schemeNotAllowed("http")) { try strict.check("http://127.0.0.1:9999/push") }

        let testing = PushEndpointPolicy(allowedHosts: ["127.0.0.1:9999"], allowsInsecureLoopback: true)
        _ = try testing.check("http://127.0.0.1:9999/push")
        #expect(throws: PushEndpointPolicy.Rejection.hostNotAllowed("127.0.0.1")) { try testing.check("http://127.0.0.1:22/") }
        #expect(throws: PushEndpointPolicy.Rejection.schemeNotAllowed("http")) { try testing.check("http://10.0.0.1:9999/push") }
        #expect(throws: PushEndpointPolicy.Rejection.schemeNotAllowed("http")) {
            try testing.check("http://127.0.0.1.evil.example:9999/")
        }
    }
}
