import Crypto
import DeviceState
import Foundation
import Logging
import Notify
import WebPushTestService

/// Benchmarks of Web Push (issue 4), run by Benchmarks/push-run in a release build:
///
///     PushBench crypto [messages]     encrypt + sign throughput on one core
///     PushBench deliver [messages]    the outbox against the loopback test push service,
///                                     with injected 429s and 500s; checks none lost, none twice
@main
enum PushBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "crypto": try crypto(messages: arguments.dropFirst().first.flatMap(Int.init) ?? 20_000)
        case "deliver": try await deliver(messages: arguments.dropFirst().first.flatMap(Int.init) ?? 10_000)
        default:
            FileHandle.standardError.write(Data("usage: PushBench crypto|deliver [messages]\n".utf8))
            exit(64)
        }
    }

    /// A payload the size of a real alert.
    static let payload = Data(
        #"{"body":"Your laundry in Washer 3 (Hall A) is done.","id":"a1b2c3d4e5f6","kind":"cycle_done","silent":false,"tag":"machine-W3","title":"Washer 3 is done","url":"/#machine-W3"}"#
            .utf8)

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Runs `body` `messages` times, five rounds; returns the median messages per second.
    static func rate(_ messages: Int, _ body: () throws -> Void) rethrows -> Double {
        var rates: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            for _ in 0..<messages { try body() }
            let seconds =
                Double((ContinuousClock.now - start).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - start).components.seconds)
            rates.append(Double(messages) / seconds)
        }
        return median(rates)
    }

    static func crypto(messages: Int) throws {
        let subscriber = P256.KeyAgreement.PrivateKey().publicKey
        let auth = Data(repeating: 5, count: 16)
        let signer = VAPIDSigner(key: VAPIDKey(), subject: try VAPIDSubject("mailto:bench@dorm.example"))
        let endpoint = URL(string: "https://fcm.googleapis.com/fcm/send/bench")!
        var audience = 0
        let ephemeralForX963 = P256.KeyAgreement.PrivateKey()

        let encrypt = try rate(messages) { _ = try PushEncryption.encrypt(payload, for: subscriber, authSecret: auth) }
        let keyOnly = rate(messages) { _ = P256.KeyAgreement.PrivateKey() }
        let plainKey = try rate(messages) {
            _ = try P256.KeyAgreement.PrivateKey(rawRepresentation: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        }
        let x963 = rate(messages) { _ = ephemeralForX963.publicKey.x963Representation }
        let ephemeral = P256.KeyAgreement.PrivateKey()
        let ecdh = try rate(messages) { _ = try ephemeral.sharedSecretFromKeyAgreement(with: subscriber) }
        let cachedHeader = try rate(messages) { _ = try signer.authorization(for: endpoint) }
        let signFresh = try rate(messages) {
            audience += 1
            _ = try signer.token(audience: "https://push\(audience).example", at: Date())
        }
        let perMessage = try rate(messages) {
            _ = try PushEncryption.encrypt(payload, for: subscriber, authSecret: auth)
            _ = try signer.authorization(for: endpoint)
        }
        let worstCase = try rate(messages) {
            audience += 1
            _ = try PushEncryption.encrypt(payload, for: subscriber, authSecret: auth)
            _ = try signer.token(audience: "https://push\(audience).example", at: Date())
        }
        print("payload: \(payload.count) bytes; \(messages) messages per round, median of 5 rounds, one thread")
        print(String(format: "ephemeral P-256 key only:                 %8.0f /s", keyOnly))
        print(String(format: "ephemeral key from 32 random bytes:       %8.0f /s", plainKey))
        print(String(format: "public key x963 bytes:                    %8.0f /s", x963))
        print(String(format: "ECDH only:                                %8.0f /s", ecdh))
        print(String(format: "Authorization header, token cached:       %8.0f /s", cachedHeader))
        print(String(format: "encrypt (RFC 8291):                       %8.0f /s", encrypt))
        print(String(format: "sign a new VAPID token:                   %8.0f /s", signFresh))
        print(String(format: "encrypt + Authorization (token cached):   %8.0f /s", perMessage))
        print(String(format: "encrypt + a new token every message:      %8.0f /s", worstCase))
    }

    static func deliver(messages: Int) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pushbench-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await TestPushService.withService { service in
            let store = try SQLiteStore(path: path)
            _ = try await VAPIDConfiguration.generate(
                subject: try VAPIDSubject("mailto:bench@dorm.example"), replacing: false, in: store)
            // Ten devices per resident (the limit); one message per resident reaches all ten.
            let residents = (messages + 9) / 10
            var scripted = (tooMany: 0, serverError: 0)
            var residentIds: [String] = []
            for r in 0..<residents {
                let (resident, _) = try await store.addResident(name: "R\(r)", room: "\(r)", codeValidFor: 60, at: Date())
                residentIds.append(resident.id)
                for d in 0..<10 {
                    let n = r * 10 + d
                    let script: [TestPushService.Reply]
                    switch n % 10 {
                    case 3:
                        script = [.status(429, retryAfter: "1")]
                        scripted.tooMany += 1
                    case 7:
                        script = [.status(500)]
                        scripted.serverError += 1
                    default: script = []
                    }
                    let subscriber = service.subscriber(script: script)
                    _ = try await store.addPushSubscription(
                        residentId: resident.id, endpoint: subscriber.endpoint, p256dh: subscriber.p256dh,
                        auth: subscriber.auth, at: Date())
                }
            }
            let port = String(service.origin.split(separator: ":").last!)
            var logger = Logger(label: "pushbench")
            logger.logLevel = .warning
            let sender = PushSender(
                policy: PushEndpointPolicy(allowedHosts: ["127.0.0.1:\(port)"], allowsInsecureLoopback: true), totalTimeout: 10,
                maxConnectionsPerHost: 32, logger: logger)
            let delivery = PushDelivery(store: store, sender: sender, batchSize: 256, concurrency: 32, logger: logger)

            let start = ContinuousClock.now
            for (r, residentId) in residentIds.enumerated() {
                _ = try await store.enqueuePush(
                    PushDraft(
                        residentId: residentId, payload: "{\"n\":\(r)}", urgency: .high,
                        topic: "bench", expiresAt: Date().addingTimeInterval(600)),
                    at: Date())
            }
            let enqueued = ContinuousClock.now - start
            let worker = Task { await delivery.run(pollInterval: .milliseconds(100)) }
            var firstAnswers: Duration?
            var answered = 0
            for await _ in service.received {
                answered += 1
                if answered == residents * 10 { firstAnswers = ContinuousClock.now - start }
                if answered == residents * 10 + scripted.tooMany + scripted.serverError { break }
            }
            worker.cancel()
            await worker.value
            let total = ContinuousClock.now - start
            try await sender.shutdown()

            let log = service.log
            let delivered = log.filter(\.delivered)
            let unique = Set(delivered.map { "\($0.subscriberId) \(String(decoding: $0.plaintext ?? Data(), as: UTF8.self))" })
            let counts = try await store.pushOutboxCounts()
            print(
                "\(residents * 10) notifications (\(residents) messages x 10 devices); injected \(scripted.tooMany) x 429 (Retry-After: 1) and \(scripted.serverError) x 500"
            )
            print("enqueue: \(enqueued)")
            print("first \(residents * 10) answers: \(firstAnswers.map { "\($0)" } ?? "-")")
            print("all delivered: \(total)")
            print(
                "requests: \(log.count); delivered: \(delivered.count); distinct delivered: \(unique.count); problems: \(log.filter { $0.problem != nil }.count)"
            )
            print("outbox: \(counts.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: " "))")
            guard delivered.count == residents * 10, unique.count == delivered.count, counts == [.delivered: residents * 10]
            else {
                print("FAILED: lost or duplicated notifications")
                exit(1)
            }
        }
    }
}
