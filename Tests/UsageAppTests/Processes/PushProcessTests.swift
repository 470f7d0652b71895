import DeviceState
import Foundation
import HummingbirdTesting
import NIOCore
import Notify
import Testing
import WebPushTestService

@testable import UsageApp

@Suite("washboard admin vapid and push")
struct PushProcessTests {
    @Test("vapid generate stores a key once, show prints it, --force replaces it; the private key is never printed")
    func vapid() async throws {
        let folder = try TestFolder()
        let db = folder.databasePath
        _ = try SQLiteStore(path: db)

        let missing = try await washboard("admin", "vapid", "show", "--db", db)
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("vapid generate") && missing.stderr.split(separator: "\n").count == 1)

        let badSubject = try await washboard("admin", "vapid", "generate", "--subject", "admin@dorm.example", "--db", db)
        #expect(badSubject.status == 64, "\(badSubject.stderr)")

        let generated = try await washboard(
            "admin", "vapid", "generate", "--subject", "mailto:laundry@dorm.example", "--json", "--db", db)
        #expect(generated.status == 0, "\(generated.stderr)")
        let output = try JSONDecoder().decode([String: String].self, from: Data(generated.stdout.utf8))
        let signer = try #require(try await VAPIDConfiguration.load(from: SQLiteStore(path: db)))
        #expect(output == ["publicKey": signer.key.publicKey, "subject": "mailto:laundry@dorm.example"])

        let refused = try await washboard("admin", "vapid", "generate", "--subject", "mailto:other@dorm.example", "--db", db)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("--force") && refused.stderr.split(separator: "\n").count == 1)

        let shown = try await washboard("admin", "vapid", "show", "--db", db)
        #expect(shown.stdout.contains(signer.key.publicKey) && shown.stdout.contains("mailto:laundry@dorm.example"))
        let shownJSON = try await washboard("admin", "vapid", "show", "--json", "--db", db)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(shownJSON.stdout.utf8)) == output)

        let forced = try await washboard(
            "admin", "vapid", "generate", "--subject", "mailto:other@dorm.example", "--force", "--db", db)
        #expect(forced.status == 0)
        let replaced = try #require(try await VAPIDConfiguration.load(from: SQLiteStore(path: db)))
        #expect(replaced.key.publicKey != signer.key.publicKey)

        for result in [missing, badSubject, generated, refused, shown, forced] {
            for key in [signer.key.storedPrivateKey, replaced.key.storedPrivateKey] {
                #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
            }
        }
        let mode = try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the database holds the private key")
    }

    @Test(
        "end to end: a browser subscribes over REST, push test reaches it, a gone one is marked gone, the server delivers the outbox"
    )
    func endToEnd() async throws {
        try await TestPushService.withService { service in
            let folder = try TestFolder()
            let db = folder.databasePath
            let port = String(service.origin.split(separator: ":").last!)
            let pushFlags = ["--push-allow", "127.0.0.1:\(port)", "--push-allow-insecure-loopback"]
            let added = try await washboard("admin", "resident", "add", "--name", "Ada", "--room", "101", "--json", "--db", db)
            let resident = try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any]
            let residentId = try #require(resident?["id"] as? String)
            let code = try #require(resident?["code"] as? String)
            #expect(
                try await washboard("admin", "vapid", "generate", "--subject", "mailto:a@dorm.example", "--db", db).status == 0)

            let server = try await ServerProcess(databasePath: db, extraArguments: pushFlags)
            let phone = service.subscriber()
            let oldLaptop = service.subscriber(script: [.status(410)])
            try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
                let token = try await ProcessTests().enroll(client, code: code)
                for subscriber in [phone, oldLaptop] {
                    let body =
                        #"{"endpoint":"\#(subscriber.endpoint)","keys":{"p256dh":"\#(subscriber.p256dh)","auth":"\#(subscriber.auth)"}}"#
                    let response = try await client.post(
                        "/api/push/subscriptions", headers: .json(token), body: ByteBuffer(string: body))
                    #expect(response.head.status == .created)
                }
            }

            let test = try await washboard(["admin", "push", "test", "--resident", residentId, "--json", "--db", db] + pushFlags)
            #expect(test.status == 69, "one of two devices is gone: \(test.stderr)")
            let outcomes = try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(Set(outcomes.compactMap { $0["state"] as? String }) == ["delivered", "gone"])
            let delivered = try #require(service.log.first { $0.subscriberId == phone.id && $0.delivered })
            let payload = try #require(try JSONSerialization.jsonObject(with: delivered.plaintext ?? Data()) as? [String: Any])
            #expect(payload["kind"] as? String == "test" && payload["tag"] as? String == "washboard-test")
            let store = try SQLiteStore(path: db)
            #expect(
                try await store.pushSubscriptions(of: residentId).filter { $0.health != .gone }.map(\.endpoint) == [
                    phone.endpoint
                ])

            // The server's own worker sends what is queued in the outbox.
            let message = #"{"kind":"cycle_done","title":"W1 is done"}"#
            _ = try await store.enqueuePush(
                PushDraft(
                    residentId: residentId, payload: message, urgency: .high, topic: "machine-W1",
                    expiresAt: Date().addingTimeInterval(60)),
                at: Date())
            for await received in service.received where received.plaintext == Data(message.utf8) {
                #expect(received.delivered && received.urgency == "high" && received.topic == "machine-W1")
                break
            }

            let list = try await washboard("admin", "push", "list", "--state", "delivered", "--json", "--db", db)
            let entries = try DomainJSON.decoder().decode([PushOutboxEntry].self, from: Data(list.stdout.utf8))
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0.endpointOrigin == service.origin })
            let text = try await washboard("admin", "push", "list", "--db", db)
            #expect(text.stdout.contains("gone") && text.stdout.contains("delivered"))
            #expect(!text.stdout.contains(phone.endpoint), "lists show the push service, not the capability URL")

            let metrics = try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
                String(decoding: try await client.get("/metrics").bodyData, as: UTF8.self)
            }
            // 1, or 2 when the server's worker also picked up a row of `push test`.
            #expect(metrics.contains(/washboard_push_attempts_total\{outcome="delivered"\} [12]\n/), "\(metrics)")

            let badState = try await washboard("admin", "push", "list", "--state", "lost", "--db", db)
            #expect(badState.status == 64 && badState.stderr.split(separator: "\n").count == 1)
            await server.stop(signal: SIGTERM)
        }
    }
}
