import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

@Suite("Breakdowns the crowd confirms: reports, staff alerts, working again", .timeLimit(.minutes(2)))
struct ReportAPITests {
    static func report(_ client: some TestClientProtocol, _ token: String, _ text: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/machines/W1/reports", method: .post, headers: .json(token),
            body: ByteBuffer(json: #"{"text":"\#(text)"}"#))
    }

    /// W1 on the board as JSON.
    static func w1(_ client: some TestClientProtocol, _ token: String) async throws -> [String: Any] {
        let machines = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token)).object["machines"]
        return try #require((machines as? [[String: Any]])?.first { $0["id"] as? String == "W1" })
    }

    static func alertKind(_ frame: [String: Any]) -> String? { (frame["alert"] as? [String: Any])?["kind"] as? String }

    @Test(
        "two residents report W1: staff's open app is alerted and the board counts them; the repair tells both reporters"
    )
    func crowdConfirmThenRepair() async throws {
        let dorm = try await TestDorm()
        let db = dorm.folder.databasePath
        let (_, ada) = try await dorm.resident("Ada")
        let (_, bob) = try await dorm.resident("Bob")
        let (samId, sam) = try await dorm.resident("Sam")
        let made = try await washboard("admin", "resident", "staff", samId, "--db", db)
        #expect(made.status == 0 && made.stdout.contains("is staff"), "\(made.stderr)")

        try await dorm.withServer { client in
            let port = try #require(client.port)
            let refused = try await client.execute(uri: "/api/reports", method: .get, headers: .bearer(ada))
            let problem = try refused.object
            #expect(refused.status == .forbidden && problem["code"] as? String == "staff_only")

            try await dorm.live(port: port, token: sam) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                #expect(try await Self.report(client, ada, "Water on the floor").status == .created)
                #expect(try await Self.w1(client, ada)["reportedBy"] == nil, "one report is not believed yet")
                #expect(try await Self.report(client, bob, "Leaks from the door").status == .created)
                let frame = try await AlertAPITests.next("alert", &messages)
                #expect(Self.alertKind(frame) == "report_confirmed")
                #expect((frame["alert"] as? [String: Any])?["title"] as? String == "W1 reported by 2 residents")
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(try await Self.w1(client, ada)["reportedBy"] as? Int == 2)
            let open = try await client.execute(uri: "/api/reports", method: .get, headers: .bearer(sam)).object
            let texts = (open["reports"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
            #expect(texts?.sorted() == ["Leaks from the door", "Water on the floor"], "both made in one second")
            #expect((open["reports"] as? [[String: Any]])?.allSatisfy { $0["residentId"] == nil } == true, "not who")

            try await dorm.live(port: port, token: ada) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                for step in [["broken", "W1", "--note", "door seal"], ["repaired", "W1"]] {
                    let done = try await washboard(["admin", "machine"] + step + ["--db", db])
                    #expect(done.status == 0, "\(done.stderr)")
                }
                let frame = try await AlertAPITests.next("alert", &messages)
                #expect(Self.alertKind(frame) == "machine_repaired")
                #expect((frame["alert"] as? [String: Any])?["title"] as? String == "W1 is working again")
                try await outbound.close(.normalClosure, reason: nil)
            }
            let bobs = try await AlertAPITests.alerts(client, bob).object["alerts"] as? [[String: Any]]
            #expect(bobs?.map { $0["kind"] as? String } == ["machine_repaired"], "Bob, offline, finds it in his alerts")
            #expect(try await Self.w1(client, ada)["reportedBy"] == nil)
            let after = try await client.execute(uri: "/api/reports", method: .get, headers: .bearer(sam)).object
            #expect((after["reports"] as? [Any])?.isEmpty == true, "the repair resolved them")
        }
    }
}
