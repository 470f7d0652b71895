import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import NIOCore
import Testing

@testable import UsageApp

@Suite("The alert history: GET /api/alerts, POST /api/alerts/read, read state on every device")
struct AlertAPITests {
    /// Ada with two devices (two sessions), her 45-minute use on W1 started 50 minutes ago,
    /// and the reconciler's alerts for it (ending_soon, cycle_done).
    static func dorm() async throws -> (dorm: TestDorm, ada: String, phone: String, laptop: String) {
        let dorm = try await TestDorm()
        let (ada, phone) = try await dorm.resident("Ada")
        let code = try await dorm.store.issueEnrollmentCode(residentId: ada, validFor: 600, at: .currentSecond)
        let (_, laptop) = try await dorm.store.redeemEnrollmentCode(code.code, at: .currentSecond)
        let now = Date.currentSecond
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada), at: now.addingTimeInterval(-50 * 60))
        _ = try await dorm.store.reconcileUses(at: now.addingTimeInterval(-8 * 60), policy: .init(), dryRun: false)
        _ = try await dorm.store.reconcileUses(at: now, policy: .init(), dryRun: false)
        return (dorm, ada, phone, laptop)
    }

    static func alerts(_ client: some TestClientProtocol, _ token: String, query: String = "") async throws -> TestResponse {
        try await client.execute(uri: "/api/alerts" + query, method: .get, headers: .bearer(token))
    }

    @Test("newest first with the unread count and each delivery; pages by before; bad input is a problem")
    func list() async throws {
        let (dorm, _, phone, _) = try await Self.dorm()
        let (_, bea) = try await dorm.resident("Bea")
        try await dorm.withServer { client in
            let response = try await Self.alerts(client, phone)
            #expect(response.status == .ok)
            let page = try response.object
            let alerts = try #require(page["alerts"] as? [[String: Any]])
            #expect(alerts.map { $0["kind"] as? String } == ["cycle_done", "ending_soon"])
            #expect(page["unread"] as? Int == 2)
            #expect(alerts.allSatisfy { $0["readAt"] is NSNull && $0["machineId"] as? String == "W1" })
            let delivery = try #require(alerts.first?["delivery"] as? [String: Any])
            #expect(delivery["live"] is NSNull && delivery["ackedAt"] is NSNull && delivery["routed"] is NSNull)
            #expect((delivery["pushes"] as? [Any])?.isEmpty == true)

            let first = try #require(alerts.first?["id"] as? String)
            let older = try await Self.alerts(client, phone, query: "?limit=1&before=\(first)").object
            #expect((older["alerts"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["ending_soon"])

            #expect(try await Self.alerts(client, phone, query: "?limit=0").status == .unprocessableContent)
            #expect(try await Self.alerts(client, phone, query: "?before=nope").status == .notFound)
            #expect(try await Self.alerts(client, bea, query: "?before=\(first)").status == .notFound, "not hers")
            #expect((try await Self.alerts(client, bea).object["alerts"] as? [Any])?.isEmpty == true)
            #expect(try await client.execute(uri: "/api/alerts", method: .get).status == .unauthorized)
        }
    }

    @Test("read on the phone: the laptop's open app is told at once, and its list shows it read")
    func readSync() async throws {
        let (dorm, _, phone, laptop) = try await Self.dorm()
        try await dorm.withServer { client in
            let port = try #require(client.port)
            let ids = try #require(
                (try await Self.alerts(client, phone).object["alerts"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            try await dorm.live(port: port, token: laptop) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                let marked = try await client.execute(
                    uri: "/api/alerts/read", method: .post, headers: .json(phone),
                    body: ByteBuffer(json: #"{"ids":["\#(ids[1])"]}"#))
                #expect(marked.status == .ok)
                #expect(try marked.object["marked"] as? Int == 1 && marked.object["unread"] as? Int == 1)
                let frame = try await Self.next("alerts_read", &messages)
                #expect(frame["ids"] as? [String] == [ids[1]])

                let all = try await client.execute(
                    uri: "/api/alerts/read", method: .post, headers: .json(phone), body: ByteBuffer(json: #"{"all":true}"#))
                #expect(try all.object["marked"] as? Int == 1 && all.object["unread"] as? Int == 0)
                #expect(try await Self.next("alerts_read", &messages)["ids"] is NSNull)
                try await outbound.close(.normalClosure, reason: nil)
            }
            let seen = try await Self.alerts(client, laptop).object
            #expect(seen["unread"] as? Int == 0)
            #expect((seen["alerts"] as? [[String: Any]])?.allSatisfy { $0["readAt"] is String } == true)

            for body in [#"{}"#, #"{"ids":[]}"#, #"{"all":false}"#, #"{"ids":"x"}"#] {
                let refused = try await client.execute(
                    uri: "/api/alerts/read", method: .post, headers: .json(phone), body: ByteBuffer(json: body))
                #expect([.badRequest, .unprocessableContent].contains(refused.status), "\(body)")
            }
        }
    }

    /// The next frame of `type`, as a JSON object.
    static func next(_ type: String, _ iterator: inout WebSocketInboundMessageStream.AsyncIterator) async throws -> [String: Any]
    {
        while let message = try await iterator.next() {
            guard case .text(let text) = message, text.contains(#""type":"\#(type)""#) else { continue }
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        throw CancellationError()
    }
}
