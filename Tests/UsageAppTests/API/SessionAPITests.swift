import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

@Suite("Enrollment and sessions")
struct SessionAPITests {
    @Test("an enrollment code becomes a bearer token and an HttpOnly SameSite=Strict cookie, once")
    func enroll() async throws {
        let dorm = try await TestDorm()
        let (_, code) = try await dorm.store.addResident(name: "Ada", room: "101", codeValidFor: 3600, at: .currentSecond)
        try await dorm.withServer { client in
            let body = ByteBuffer(json: #"{"code":"\#(code.code)"}"#)
            let response = try await client.execute(uri: "/api/session", method: .post, headers: .json(), body: body)
            #expect(response.status == .created)
            let token = try #require(try response.object["token"] as? String)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("wb_session=\(token);"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"), "the test origin is plain http")

            let me = try await client.execute(uri: "/api/me", method: .get, headers: .bearer(token))
            #expect(me.status == .ok)
            #expect((try me.object["resident"] as? [String: Any])?["name"] as? String == "Ada")
            let byCookie = try await client.execute(uri: "/api/me", method: .get, headers: [.cookie: "wb_session=\(token)"])
            #expect(byCookie.status == .ok)

            let again = try await client.execute(uri: "/api/session", method: .post, headers: .json(), body: body)
            #expect(again.status == .unauthorized)
            #expect(try again.object["code"] as? String == "enrollment_code_invalid")
        }
    }

    @Test("logging out ends the session at once and clears the cookie")
    func logout() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            #expect(try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token)).status == .ok)
            let logout = try await client.execute(uri: "/api/session", method: .delete, headers: .bearer(token))
            #expect(logout.status == .noContent)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token)).status == .unauthorized)
        }
    }

    @Test("a cookie-signed write from a foreign origin is refused; the same write with a bearer token or our origin is not")
    func foreignOrigin() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let cookie: HTTPFields = [
                .cookie: "wb_session=\(token)", .contentType: "application/json", .origin: "https://evil.example",
            ]
            let refused = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: cookie)
            #expect(refused.status == .forbidden)
            #expect(try refused.object["code"] as? String == "foreign_origin")
            #expect(try await dorm.store.machine("W1").use == nil)

            var ours = cookie
            ours[.origin] = TestDorm.publicOrigin
            #expect(try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: ours).status == .created)
        }
    }

    @Test("a revoked resident's token stops working")
    func revoked() async throws {
        let dorm = try await TestDorm()
        let (id, token) = try await dorm.resident()
        _ = try await dorm.store.revokeResident(id, at: .currentSecond)
        try await dorm.withServer { client in
            let response = try await client.execute(uri: "/api/me", method: .get, headers: .bearer(token))
            #expect(response.status == .unauthorized)
        }
    }

    @Test("preferences: a partial update keeps what it leaves out; null turns quiet hours off")
    func preferences() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let set = try await client.execute(
                uri: "/api/me/preferences", method: .patch, headers: .json(token),
                body: ByteBuffer(json: #"{"quietHours":{"start":"22:30","end":"07:00"},"mutedAlertKinds":["notice"]}"#))
            #expect(set.status == .ok)
            let partial = try await client.execute(
                uri: "/api/me/preferences", method: .patch, headers: .json(token),
                body: ByteBuffer(json: #"{"mutedAlertKinds":[]}"#))
            #expect(try partial.decode(Preferences.self) == Preferences(quietHours: try QuietHours(start: "22:30", end: "07:00")))
            let off = try await client.execute(
                uri: "/api/me/preferences", method: .patch, headers: .json(token), body: ByteBuffer(json: #"{"quietHours":null}"#)
            )
            #expect(try off.decode(Preferences.self) == Preferences())
        }
    }

    @Test("the demo sign-in exists only under serve --demo, and signs in as the demo resident only")
    func demoSession() async throws {
        let dorm = try await TestDorm()
        let (demo, _) = try await dorm.resident("Demo")
        _ = try await dorm.resident("Ben")
        try await dorm.withServer { client in
            let probe = try await client.execute(uri: "/api/demo", method: .get)
            let signIn = try await client.execute(uri: "/api/demo/session", method: .post)
            #expect(probe.status == .notFound && signIn.status == .notFound)
        }
        try await dorm.withServer(demoResidentId: demo) { client in
            #expect(try await client.execute(uri: "/api/demo", method: .get).status == .noContent)
            let session = try await client.execute(uri: "/api/demo/session", method: .post)
            #expect(session.status == .created)
            #expect(session.headers[.setCookie]?.contains("HttpOnly") == true)
            let token = try #require(try session.object["token"] as? String)
            let me = try await client.execute(uri: "/api/me", method: .get, headers: .bearer(token))
            let resident = try me.object["resident"] as? [String: Any]
            #expect(resident?["id"] as? String == demo)
        }
    }
}
