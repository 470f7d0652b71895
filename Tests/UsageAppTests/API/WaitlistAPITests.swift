import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

@Suite("The waitlist over HTTP")
struct WaitlistAPITests {
    @Test("two waiters in order; a collect tells the first and holds the washer for them; others get 409 machine_held")
    func orderAndHold() async throws {
        let dorm = try await TestDorm()
        let (_, cy) = try await dorm.resident("Cy")
        let (adaId, ada) = try await dorm.resident("Ada")
        let (_, bob) = try await dorm.resident("Bob")
        try await dorm.store.setSetting(.waitlistHoldMinutes, to: "5")
        try await dorm.withServer { client in
            var uses: [Use] = []
            for machine in ["W1", "W2"] {
                uses.append(
                    try await client.execute(uri: "/api/machines/\(machine)/uses", method: .post, headers: .json(cy)).decode(
                        Use.self))
            }
            let first = try await client.execute(
                uri: "/api/waitlist", method: .post, headers: .json(ada), body: ByteBuffer(json: #"{"kind":"washer"}"#))
            #expect(first.status == .created)
            #expect(try first.object["position"] as? Int == 1)
            #expect(try first.object["location"] is NSNull)
            let second = try await client.execute(
                uri: "/api/waitlist", method: .post, headers: .json(bob),
                body: ByteBuffer(json: #"{"kind":"washer","location":"Hall A"}"#))
            #expect(try second.object["position"] as? Int == 2)
            let again = try await client.execute(
                uri: "/api/waitlist", method: .post, headers: .json(bob), body: ByteBuffer(json: #"{"kind":"washer"}"#))
            #expect(again.status == .conflict)
            #expect(try again.object["code"] as? String == "already_waiting")
            let bad = try await client.execute(
                uri: "/api/waitlist", method: .post, headers: .json(bob), body: ByteBuffer(json: #"{"kind":"spaceship"}"#))
            #expect(bad.status == .badRequest, "a kind the API does not have, like any value outside an enum")

            let collected = try await client.execute(uri: "/api/uses/\(uses[0].id)/collect", method: .post, headers: .bearer(cy))
            #expect(collected.status == .ok)
            let mine = try await client.execute(uri: "/api/waitlist", method: .get, headers: .bearer(ada))
            let adaEntries = try mine.object["entries"] as? [Any]
            #expect(adaEntries?.isEmpty == true, "Ada was told and left the list")
            let bobs = try await client.execute(uri: "/api/waitlist", method: .get, headers: .bearer(bob))
            let bobEntries = try #require(try bobs.object["entries"] as? [[String: Any]])
            #expect(bobEntries.first?["position"] as? Int == 1)

            let machine = try await client.execute(uri: "/api/machines/W1", method: .get, headers: .bearer(bob))
            let hold = try #require(try machine.object["hold"] as? [String: Any])
            #expect(hold["residentId"] as? String == adaId)
            let refused = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: .json(bob))
            #expect(refused.status == .conflict)
            #expect(try refused.object["code"] as? String == "machine_held")
            let started = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: .json(ada))
            #expect(started.status == .created)

            let alerts = try await dorm.store.events(after: 0, limit: 100).filter {
                $0.kind == .alert && $0.topic == .resident(adaId)
            }
            #expect(alerts.count == 1)
            let entry = try #require(bobEntries.first?["id"] as? String)
            #expect(
                try await client.execute(uri: "/api/waitlist/\(entry)", method: .delete, headers: .bearer(ada)).status
                    == .notFound)
            #expect(
                try await client.execute(uri: "/api/waitlist/\(entry)", method: .delete, headers: .bearer(bob)).status
                    == .noContent)
        }
    }
}
