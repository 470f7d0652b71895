import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

@Suite("Rate limits: 429 with Retry-After, per client address or per resident")
struct RateLimitTests {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    static func redeem(_ client: any TestClientProtocol, code: String = "WRONG-CODE-0000", from address: String? = nil)
        async throws -> TestResponse
    {
        var headers = HTTPFields.json()
        if let address { headers[Self.forwardedFor] = address }
        return try await client.execute(
            uri: "/api/session", method: .post, headers: headers, body: ByteBuffer(json: #"{"code":"\#(code)"}"#))
    }

    @Test("300 wrong enrollment codes from one address: ten 401s, then 429 with Retry-After, even for a right code")
    func guessing() async throws {
        let dorm = try await TestDorm()
        let (_, code) = try await dorm.store.addResident(name: "Ada", room: "101", codeValidFor: 3600, at: .currentSecond)
        try await dorm.withServer { client in
            var statuses: [HTTPResponse.Status: Int] = [:]
            var retryAfter: String?
            for _ in 0..<300 {
                let response = try await Self.redeem(client)
                statuses[response.status, default: 0] += 1
                if response.status == .tooManyRequests {
                    retryAfter = response.headers[.retryAfter]
                    #expect(try response.object["code"] as? String == "rate_limited")
                }
            }
            #expect(statuses == [.unauthorized: RateLimit.enrollmentBudget.count, .tooManyRequests: 290])
            #expect(Int(retryAfter ?? "") ?? 0 > 0 && Int(retryAfter ?? "") ?? 0 <= 15 * 60)
            #expect(try await Self.redeem(client, code: code.code).status == .tooManyRequests, "not even looked at")
            // A forged X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
            #expect(try await Self.redeem(client, from: "203.0.113.9").status == .tooManyRequests)
        }
    }

    @Test("behind a trusted proxy each client address has its own budget")
    func behindProxy() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer(trustedProxies: ["127.0.0.1"]) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0...RateLimit.enrollmentBudget.count {
                statuses.append(try await Self.redeem(client, from: "198.51.100.7").status)
            }
            #expect(statuses == Array(repeating: .unauthorized, count: RateLimit.enrollmentBudget.count) + [.tooManyRequests])
            let neighbour = try await Self.redeem(client, from: "198.51.100.8").status
            #expect(neighbour == .unauthorized, "another resident's phone")
            // Only the hop the proxy itself saw counts: what the client put in front is its own claim.
            let prefixed = try await Self.redeem(client, from: "10.9.9.9, 198.51.100.7").status
            #expect(prefixed == .tooManyRequests)
        }
    }

    @Test("reports, cancels and push subscription changes each have a budget per resident")
    func perResident() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let (_, other) = try await dorm.resident("Bob")
        try await dorm.withServer { client in
            func report(_ token: String) async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/api/machines/W1/reports", method: .post, headers: .json(token),
                    body: ByteBuffer(json: #"{"text":"The door sticks"}"#)
                ).status
            }
            for _ in 0..<RateLimit.reportBudget.count { #expect(try await report(token) == .created) }
            #expect(try await report(token) == .tooManyRequests)
            #expect(try await report(other) == .created, "another resident is not limited")

            for _ in 0..<RateLimit.cancelBudget.count {
                let use = try await client.execute(uri: "/api/machines/W2/uses", method: .post, headers: .json(token))
                    .decode(Use.self)
                #expect(
                    try await client.execute(uri: "/api/uses/\(use.id)/cancel", method: .post, headers: .bearer(token)).status
                        == .ok)
            }
            let use = try await client.execute(uri: "/api/machines/W2/uses", method: .post, headers: .json(token)).decode(
                Use.self)
            let churn = try await client.execute(uri: "/api/uses/\(use.id)/cancel", method: .post, headers: .bearer(token))
            #expect(churn.status == .tooManyRequests && churn.headers[.retryAfter] != nil)
            #expect(
                try await client.execute(uri: "/api/uses/\(use.id)/collect", method: .post, headers: .bearer(token)).status == .ok
            )

            let unsubscribe = ByteBuffer(json: #"{"endpoint":"https://fcm.googleapis.com/fcm/send/gone"}"#)
            for _ in 0..<RateLimit.pushChangeBudget.count {
                let status = try await client.execute(
                    uri: "/api/push/subscriptions", method: .delete, headers: .json(token), body: unsubscribe
                ).status
                #expect(status == .noContent)
            }
            let flood = try await client.execute(
                uri: "/api/push/subscriptions", method: .delete, headers: .json(token), body: unsubscribe)
            #expect(flood.status == .tooManyRequests)
        }
    }
}
