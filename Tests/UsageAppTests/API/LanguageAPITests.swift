import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import NIOCore
import Notify
import Testing
import WebPushTestService

@testable import UsageApp

@Suite("Korean and English: each reader's language", .timeLimit(.minutes(1)))
struct LanguageAPITests {
    static func headers(_ token: String? = nil, language: String?) -> HTTPFields {
        var fields = HTTPFields.json(token)
        if let language { fields[.acceptLanguage] = language }
        return fields
    }

    @Test("problem details follow Accept-Language, else the dorm's default; GET /api/locale says which that is")
    func problems() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer(defaultLanguage: .korean) { client in
            func detail(_ language: String?) async throws -> String? {
                let response = try await client.execute(
                    uri: "/api/machines/X9", method: .get, headers: Self.headers(token, language: language))
                #expect(response.status == .notFound)
                return try response.object["detail"] as? String
            }
            #expect(try await detail("ko-KR,ko;q=0.9,en;q=0.8") == "\"X9\" 기기가 없어요.")
            #expect(try await detail("en-US,en;q=0.9") == "There is no machine \"X9\".")
            #expect(try await detail(nil) == "\"X9\" 기기가 없어요.", "the dorm's default")
            #expect(try await detail("fr-FR") == "\"X9\" 기기가 없어요.", "a language the product does not speak")
            let unauthenticated = try await client.execute(
                uri: "/api/me", method: .get, headers: Self.headers(language: "en"))
            #expect(try unauthenticated.object["detail"] as? String == "Sign in with an enrollment code first.")

            let locale = try await client.execute(uri: "/api/locale", method: .get).object
            #expect(locale["defaultLanguage"] as? String == "ko")
            #expect(locale["languages"] as? [String] == ["ko", "en"])
            #expect(locale["timeZone"] as? String == TimeZone.current.identifier)
        }
    }

    @Test("the language preference: PATCH changes only it, PUT replaces all, a language not spoken is refused")
    func preference() async throws {
        let dorm = try await TestDorm()
        let (ada, token) = try await dorm.resident()
        try await dorm.withServer { client in
            func send(_ method: HTTPRequest.Method, _ body: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/me/preferences", method: method, headers: .json(token), body: ByteBuffer(string: body))
            }
            #expect(try await send(.patch, #"{"quietHours":{"start":"23:00","end":"07:00"}}"#).status == .ok)
            #expect(try await send(.patch, #"{"language":"ko"}"#).object["language"] as? String == "ko")
            var stored = try await dorm.store.preferences(of: ada)
            #expect(stored.language == .korean && stored.quietHours != nil, "PATCH leaves the rest")
            #expect(try await send(.patch, #"{"language":"fr"}"#).status.code >= 400)
            #expect(try await dorm.store.preferences(of: ada).language == .korean, "a refused change stores nothing")

            let replaced = try await send(.put, #"{"language":"en"}"#)
            #expect(replaced.status == .ok)
            stored = try await dorm.store.preferences(of: ada)
            #expect(stored == Preferences(language: .english), "PUT: what the body leaves out takes its default")
            #expect(try await send(.patch, #"{"language":null}"#).object["language"] is NSNull)
        }
    }

    @Test("one alert, three readers: a Korean socket, an English socket and the list, each in its own language")
    func alertsPerReader() async throws {
        let dorm = try await TestDorm()
        let (ada, token) = try await dorm.resident("Ada")
        let (_, bob) = try await dorm.resident("Bob")
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada), at: Date() - 50 * 60)
        try await dorm.withServer { client in
            let port = try #require(client.port)
            try await dorm.live(port: port, token: token, query: "?lang=ko") { korean, koreanOut in
                try await dorm.live(port: port, token: token, query: "?lang=en") { english, englishOut in
                    var koreanFrames = try await korean.afterGreeting()
                    var englishFrames = try await english.afterGreeting()
                    let asked = try await client.execute(
                        uri: "/api/machines/W1/pickup-requests", method: .post, headers: .json(bob), body: ByteBuffer())
                    #expect(asked.status == .accepted)
                    let inKorean = try await AlertAPITests.next("alert", &koreanFrames)["alert"] as? [String: Any]
                    let inEnglish = try await AlertAPITests.next("alert", &englishFrames)["alert"] as? [String: Any]
                    #expect(inKorean?["id"] as? String == inEnglish?["id"] as? String)
                    #expect(inKorean?["title"] as? String == "W1 사용을 기다리는 분이 있어요")
                    #expect(inKorean?["body"] as? String == "Hall A의 Washer W1 세탁이 끝났어요. 세탁물을 찾아가 주세요.")
                    #expect(inEnglish?["title"] as? String == "Someone is waiting for W1")

                    try await koreanOut.write(.text("not json"))
                    let error = try await AlertAPITests.next("error", &koreanFrames)["error"] as? [String: Any]
                    #expect((error?["message"] as? String)?.contains("JSON 텍스트 프레임") == true)
                    try await englishOut.close(.normalClosure, reason: nil)
                }
                try await koreanOut.close(.normalClosure, reason: nil)
            }
            let listed =
                try await client.execute(
                    uri: "/api/alerts", method: .get, headers: Self.headers(token, language: "ko")
                ).object["alerts"] as? [[String: Any]]
            #expect(listed?.first?["title"] as? String == "W1 사용을 기다리는 분이 있어요")
        }
    }

    @Test("a push is written in the resident's language when it is sent: their device's, then their own choice")
    func pushes() async throws {
        let dorm = try await TestDorm()
        let (ada, token) = try await dorm.resident("Ada")
        let (_, bob) = try await dorm.resident("Bob")
        for machine in ["W1", "W2"] {
            _ = try await dorm.store.startUse(StartUseRequest(machineId: machine, residentId: ada), at: Date() - 50 * 60)
        }
        _ = try await VAPIDConfiguration.generate(
            subject: try VAPIDSubject("mailto:laundry@dorm.example"), replacing: false, in: dorm.store)
        try await TestPushService.withService { service in
            let phone = service.subscriber()
            let port = String(service.origin.split(separator: ":").last!)
            let policy = PushEndpointPolicy(allowedHosts: ["127.0.0.1:\(port)"], allowsInsecureLoopback: true)
            try await dorm.withServer(pushPolicy: policy, pushDelivery: .init()) { client in
                // Her phone's app speaks Korean: the subscription says so.
                let subscribed = try await client.execute(
                    uri: "/api/push/subscriptions", method: .post, headers: Self.headers(token, language: "ko-KR"),
                    body: ByteBuffer(
                        string: #"{"endpoint":"\#(phone.endpoint)","keys":{"p256dh":"\#(phone.p256dh)","auth":"\#(phone.auth)"}}"#
                    ))
                #expect(subscribed.status == .created)
                var pushes = service.received.makeAsyncIterator()
                func pickup(_ machine: String) async throws -> AlertPush.Payload {
                    let asked = try await client.execute(
                        uri: "/api/machines/\(machine)/pickup-requests", method: .post, headers: .json(bob), body: ByteBuffer())
                    #expect(asked.status == .accepted)
                    let push = try #require(await pushes.next())
                    return try JSONDecoder().decode(AlertPush.Payload.self, from: try #require(push.plaintext))
                }
                let korean = try await pickup("W1")
                #expect(korean.title == "W1 사용을 기다리는 분이 있어요")
                #expect(korean.body == "Hall A의 Washer W1 세탁이 끝났어요. 세탁물을 찾아가 주세요.")

                let chose = try await client.execute(
                    uri: "/api/me/preferences", method: .patch, headers: .json(token),
                    body: ByteBuffer(string: #"{"language":"en"}"#))
                #expect(chose.status == .ok)
                let english = try await pickup("W2")
                #expect(english.title == "Someone is waiting for W2", "her choice comes before her device's language")
            }
        }
    }
}
