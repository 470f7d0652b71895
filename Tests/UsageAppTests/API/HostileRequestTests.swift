import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

/// Malformed and hostile requests: each gets the right status and a problem document,
/// and none changes anything.
@Suite("Malformed and hostile requests")
struct HostileRequestTests {
    enum Credentials { case none, resident, bogus, basic, cookieFromEvil }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var credentials: Credentials = .resident
        var contentType: String? = "application/json"
        var body: String?
        var extraHeaders: [(String, String)] = []
        var status: HTTPResponse.Status
        var code: String
        /// The problem's sentence, where a case is about it.
        var detail: String? = nil

        var testDescription: String { name }
    }

    static let megabyte = String(repeating: "a", count: 1 << 20)

    static let cases: [Case] = [
        Case(
            name: "truncated JSON", method: .post, uri: "/api/session", credentials: .none, body: #"{"code":"#,
            status: .badRequest, code: "bad_request"),
        Case(
            name: "not an object", method: .post, uri: "/api/session", credentials: .none, body: "[1,2]", status: .badRequest,
            code: "bad_request"),
        Case(
            name: "missing field", method: .post, uri: "/api/session", credentials: .none, body: "{}", status: .badRequest,
            code: "bad_request"),
        Case(
            name: "wrong type", method: .post, uri: "/api/session", credentials: .none, body: #"{"code":5}"#, status: .badRequest,
            code: "bad_request"),
        Case(
            name: "null", method: .post, uri: "/api/session", credentials: .none, body: #"{"code":null}"#, status: .badRequest,
            code: "bad_request"),
        Case(
            name: "a body of just null", method: .post, uri: "/api/machines/W1/uses", body: "null", status: .badRequest,
            code: "bad_request", detail: "The body must be a JSON object."),
        Case(
            name: "raw control character in a string", method: .post, uri: "/api/session", credentials: .none,
            body: "{\"code\":\"a\u{0}b\"}", status: .badRequest, code: "bad_request"),
        Case(
            name: "unicode code", method: .post, uri: "/api/session", credentials: .none, body: #"{"code":"🧺🧺🧺 ⅫⅫ"}"#,
            status: .unauthorized, code: "enrollment_code_invalid"),
        Case(
            name: "SQL in the code", method: .post, uri: "/api/session", credentials: .none, body: #"{"code":"' OR 1=1 --"}"#,
            status: .unauthorized, code: "enrollment_code_invalid"),
        Case(
            name: "1 MiB body", method: .post, uri: "/api/session", credentials: .none, body: #"{"code":""# + megabyte + #""}"#,
            status: .contentTooLarge, code: "body_too_large"),
        Case(
            name: "form body", method: .post, uri: "/api/session", credentials: .none,
            contentType: "application/x-www-form-urlencoded", body: "code=x", status: .unsupportedMediaType,
            code: "unsupported_media_type"),
        Case(
            name: "no credentials", method: .get, uri: "/api/board", credentials: .none, status: .unauthorized,
            code: "unauthenticated"),
        Case(
            name: "unknown token", method: .get, uri: "/api/board", credentials: .bogus, status: .unauthorized,
            code: "unauthenticated"),
        Case(
            name: "basic auth", method: .get, uri: "/api/board", credentials: .basic, status: .unauthorized,
            code: "unauthenticated"),
        Case(
            name: "cookie write from a foreign origin", method: .post, uri: "/api/machines/W1/uses", credentials: .cookieFromEvil,
            status: .forbidden, code: "foreign_origin"),
        Case(
            name: "SQL-looking machine id", method: .get, uri: "/api/machines/W1'%20OR%20'1'='1", status: .notFound,
            code: "machine_not_found"),
        Case(
            name: "SQL-looking machine id on start", method: .post, uri: "/api/machines/W1;DROP%20TABLE%20uses/uses",
            status: .notFound, code: "machine_not_found"),
        Case(
            name: "emoji machine id", method: .get, uri: "/api/machines/%F0%9F%A7%BA", status: .notFound,
            code: "machine_not_found"),
        Case(
            name: "overlong machine id", method: .get, uri: "/api/machines/" + String(repeating: "W", count: 300),
            status: .notFound, code: "machine_not_found"),
        Case(
            name: "unknown use", method: .post, uri: "/api/uses/00000000-0000-0000-0000-000000000000/collect", status: .notFound,
            code: "use_not_found"),
        Case(
            name: "minutes as a string", method: .post, uri: "/api/machines/W1/uses", body: #"{"minutes":"45"}"#,
            status: .badRequest, code: "bad_request"),
        Case(
            name: "minutes zero", method: .post, uri: "/api/machines/W1/uses", body: #"{"minutes":0}"#,
            status: .unprocessableContent, code: "invalid_input"),
        Case(
            name: "minutes huge", method: .post, uri: "/api/machines/W1/uses", body: #"{"minutes":1e300}"#, status: .badRequest,
            code: "bad_request"),
        Case(
            name: "overlong idempotency key", method: .post, uri: "/api/machines/W1/uses",
            extraHeaders: [("Idempotency-Key", String(repeating: "k", count: 200))], status: .badRequest, code: "bad_request"),
        Case(
            name: "empty report", method: .post, uri: "/api/machines/W1/reports", body: #"{"text":"   "}"#,
            status: .unprocessableContent, code: "invalid_input"),
        Case(
            name: "bad quiet hours", method: .patch, uri: "/api/me/preferences",
            body: #"{"quietHours":{"start":"25:00","end":"07:00"}}"#, status: .unprocessableContent, code: "invalid_input"),
        Case(
            name: "unknown alert kind", method: .patch, uri: "/api/me/preferences", body: #"{"mutedAlertKinds":["<script>"]}"#,
            status: .badRequest, code: "bad_request"),
        Case(
            name: "wrong method on the board", method: .delete, uri: "/api/board", status: .methodNotAllowed,
            code: "method_not_allowed"),
        Case(
            name: "wrong method on uses", method: .put, uri: "/api/machines/W1/uses", status: .methodNotAllowed,
            code: "method_not_allowed"),
        Case(
            name: "wrong method, signed out", method: .delete, uri: "/api/me", credentials: .none,
            status: .methodNotAllowed, code: "method_not_allowed"),
        Case(name: "unknown path", method: .get, uri: "/api/nothing-here", status: .notFound, code: "not_found"),
        Case(name: "a path climbing out", method: .get, uri: "/api/../../etc/passwd", status: .badRequest, code: "bad_request"),
    ]

    @Test("each gets its status and a problem document, and nothing changes", arguments: cases)
    func hostile(_ testCase: Case) async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let boardBefore = try await dorm.store.board(at: .currentSecond)
        try await dorm.withServer { client in
            var headers: HTTPFields = [:]
            switch testCase.credentials {
            case .none: break
            case .resident: headers[.authorization] = "Bearer \(token)"
            case .bogus: headers[.authorization] = "Bearer wb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            case .basic: headers[.authorization] = "Basic YWRtaW46YWRtaW4="
            case .cookieFromEvil:
                headers[.cookie] = "wb_session=\(token)"
                headers[.origin] = "https://evil.example"
            }
            if let contentType = testCase.contentType, testCase.body != nil { headers[.contentType] = contentType }
            for (name, value) in testCase.extraHeaders { headers[HTTPField.Name(name)!] = value }

            let response = try await client.execute(
                uri: testCase.uri, method: testCase.method, headers: headers, body: testCase.body.map { ByteBuffer(string: $0) })

            #expect(response.status == testCase.status)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.object
            #expect(problem["status"] as? Int == Int(testCase.status.code))
            #expect(problem["code"] as? String == testCase.code)
            #expect((problem["detail"] as? String)?.isEmpty == false)
            if let detail = testCase.detail { #expect(problem["detail"] as? String == detail) }
            #expect(!(problem["detail"] as? String ?? "").contains(token), "no secret in an error")
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok, "the server still answers")
        }
        let boardAfter = try await dorm.store.board(at: .currentSecond)
        #expect(boardAfter.seq == boardBefore.seq && boardAfter.machines == boardBefore.machines)
    }
}
