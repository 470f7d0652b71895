import Crypto
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A push service for tests and benchmarks, on 127.0.0.1: it checks each request's VAPID
/// token, decrypts the body with the subscriber's private key, records what arrived and
/// answers as its script says (201 by default).
///
/// Its checks and its decryption are written from RFC 8291, RFC 8188 and RFC 8292 with
/// swift-crypto's primitives, independently of the project's Notify module, so that a
/// mistake there cannot cancel out here.
public final class TestPushService: Sendable {
    /// How the service answers one request.
    public enum Reply: Sendable, Equatable {
        case status(Int, retryAfter: String? = nil)
        /// Waits this long, then answers 504 without keeping the message, as an overloaded
        /// service does; a sender with a shorter timeout has given up by then.
        case slow(seconds: Double)

        public static let created = Reply.status(201)
    }

    /// A browser's side of a subscription: what it would send to the server, and its private key.
    public struct Subscriber: Sendable {
        public let id: String
        public let endpoint: String
        /// Uncompressed public point, base64url.
        public let p256dh: String
        /// 16 bytes, base64url.
        public let auth: String
        let privateKey: P256.KeyAgreement.PrivateKey
        let authSecret: Data
    }

    /// One request as the service saw it.
    public struct Received: Sendable {
        public var subscriberId: String
        public var at: Date
        /// What the service answered.
        public var status: Int
        /// The decrypted payload; nil when decryption failed.
        public var plaintext: Data?
        /// What was wrong with the request; nil for a well-formed one.
        public var problem: String?
        public var ttl: String?
        public var urgency: String?
        public var topic: String?
        public var audience: String?
        public var expiry: Date?
        public var subject: String?
        public var vapidKey: String?
        public var bodyBytes: Int

        /// A well-formed request the service accepted.
        public var delivered: Bool { problem == nil && (200..<300).contains(status) }
    }

    private struct State {
        var port = 0
        var subscribers: [String: Subscriber] = [:]
        var scripts: [String: [Reply]] = [:]
        var log: [Received] = []
    }
    private let state = Mutex(State())
    private let events: AsyncStream<Received>.Continuation
    /// Every request, in arrival order, as it is answered.
    public let received: AsyncStream<Received>

    init() {
        (received, events) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    public var origin: String { "http://127.0.0.1:\(state.withLock { $0.port })" }

    /// Everything received so far.
    public var log: [Received] { state.withLock { $0.log } }

    /// A new subscriber whose endpoint answers `script` in order, then 201.
    public func subscriber(script: [Reply] = []) -> Subscriber {
        let id = UUID().uuidString.lowercased()
        let privateKey = P256.KeyAgreement.PrivateKey()
        let authSecret = Data(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) })
        let subscriber = Subscriber(
            id: id, endpoint: "\(origin)/push/\(id)", p256dh: Self.base64URL(privateKey.publicKey.x963Representation),
            auth: Self.base64URL(authSecret), privateKey: privateKey, authSecret: authSecret)
        state.withLock {
            $0.subscribers[id] = subscriber
            $0.scripts[id] = script
        }
        return subscriber
    }

    /// Runs a service for the duration of `body`.
    public static func withService<T: Sendable>(_ body: @Sendable (TestPushService) async throws -> T) async throws -> T {
        let service = TestPushService()
        var logger = Logger(label: "test-push-service")
        logger.logLevel = .warning
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.post("/push/:id") { request, context in try await service.handle(request, context: context) }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portFound.yield(channel.localAddress?.port ?? 0)
                portFound.finish()
            }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            service.state.withLock { $0.port = port }
            do {
                let result = try await body(service)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    private func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let arrived = Date()
        let body = try await request.body.collect(upTo: 8192)
        guard let subscriber = state.withLock({ $0.subscribers[id] }) else {
            return record(Received(subscriberId: id, at: arrived, status: 404, problem: "unknown subscription", bodyBytes: 0))
        }
        var received = Received(
            subscriberId: id, at: arrived, status: 201, ttl: request.headers[.init("TTL")!],
            urgency: request.headers[.init("Urgency")!], topic: request.headers[.init("Topic")!],
            bodyBytes: body.readableBytes)
        do {
            try checkVAPID(request.headers[.authorization], into: &received, at: arrived)
            guard request.headers[.contentEncoding] == "aes128gcm" else { throw Failure("Content-Encoding is not aes128gcm") }
            guard let ttl = received.ttl, Int(ttl) != nil else { throw Failure("TTL is missing or not a number") }
            received.plaintext = try Self.decrypt(Data(buffer: body), for: subscriber)
        } catch {
            received.problem = "\(error)"
            received.status = error is VAPIDFailure ? 403 : 400
            return record(received)
        }
        let reply = state.withLock { state -> Reply in
            guard var script = state.scripts[id], !script.isEmpty else { return .created }
            let next = script.removeFirst()
            state.scripts[id] = script
            return next
        }
        switch reply {
        case .status(let status, let retryAfter):
            received.status = status
            var response = Response(status: .init(code: status))
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            record(received)
            return response
        case .slow(let seconds):
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            received.status = 504
            return record(received)
        }
    }

    @discardableResult
    private func record(_ received: Received) -> Response {
        state.withLock { $0.log.append(received) }
        events.yield(received)
        return Response(status: .init(code: received.status))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct VAPIDFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// RFC 8292 §2 and §3: `vapid t=<JWT>, k=<public key>`; the JWT is ES256, signed by k,
    /// addressed to this origin, expiring within 24 hours, with a mailto: or https: subject.
    private func checkVAPID(_ header: String?, into received: inout Received, at now: Date) throws {
        guard let header, header.lowercased().hasPrefix("vapid ") else { throw VAPIDFailure("no vapid Authorization") }
        var parameters: [String: String] = [:]
        for part in header.dropFirst(6).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parameters[String(pair[0])] = String(pair[1]) }
        }
        guard let token = parameters["t"], let key = parameters["k"] else { throw VAPIDFailure("t= or k= missing") }
        received.vapidKey = key
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerJSON = Self.data(base64URL: parts[0]), let claimsJSON = Self.data(base64URL: parts[1]),
            let signature = Self.data(base64URL: parts[2]), let keyBytes = Self.data(base64URL: key)
        else { throw VAPIDFailure("malformed token") }
        guard let jose = try? JSONSerialization.jsonObject(with: headerJSON) as? [String: Any], jose["alg"] as? String == "ES256"
        else { throw VAPIDFailure("the token is not ES256") }
        let publicKey = try P256.Signing.PublicKey(x963Representation: keyBytes)
        let ecdsa = try P256.Signing.ECDSASignature(rawRepresentation: signature)
        guard publicKey.isValidSignature(ecdsa, for: Data((parts[0] + "." + parts[1]).utf8)) else {
            throw VAPIDFailure("the token's signature does not verify with k")
        }
        guard let claims = try? JSONSerialization.jsonObject(with: claimsJSON) as? [String: Any],
            let audience = claims["aud"] as? String, let exp = claims["exp"] as? Int, let subject = claims["sub"] as? String
        else { throw VAPIDFailure("aud, exp or sub missing") }
        received.audience = audience
        received.expiry = Date(timeIntervalSince1970: TimeInterval(exp))
        received.subject = subject
        guard audience == origin else { throw VAPIDFailure("aud \(audience) is not \(origin)") }
        guard exp > Int(now.timeIntervalSince1970), exp <= Int(now.timeIntervalSince1970) + 24 * 3600 else {
            throw VAPIDFailure("exp is not within the next 24 hours")
        }
        guard subject.hasPrefix("mailto:") || subject.hasPrefix("https:") else {
            throw VAPIDFailure("sub is not mailto: or https:")
        }
    }

    /// RFC 8291 §3.4 and RFC 8188 §2, one record.
    static func decrypt(_ body: Data, for subscriber: Subscriber) throws -> Data {
        let bytes = [UInt8](body)
        guard bytes.count > 21 else { throw Failure("body shorter than its header") }
        let salt = Data(bytes[0..<16])
        let recordSize = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let keyIdLength = Int(bytes[20])
        guard keyIdLength == 65, bytes.count >= 21 + 65 + 17 else { throw Failure("the key id is not a P-256 public key") }
        let senderKeyBytes = Data(bytes[21..<86])
        let record = Data(bytes[86...])
        guard record.count <= recordSize else { throw Failure("the record is larger than the record size \(recordSize)") }
        let senderKey = try P256.KeyAgreement.PublicKey(x963Representation: senderKeyBytes)
        let shared = try subscriber.privateKey.sharedSecretFromKeyAgreement(with: senderKey).withUnsafeBytes { Data($0) }

        func hmac(_ key: Data, _ message: Data) -> Data {
            Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }
        // HKDF with one output block: extract is HMAC(salt, ikm), expand is HMAC(prk, info || 0x01).
        let keyInfo = Data("WebPush: info".utf8) + [0] + subscriber.privateKey.publicKey.x963Representation + senderKeyBytes
        let ikm = hmac(hmac(subscriber.authSecret, shared), keyInfo + [1])
        let prk = hmac(salt, ikm)
        let contentKey = hmac(prk, Data("Content-Encoding: aes128gcm".utf8) + [0, 1]).prefix(16)
        let nonce = hmac(prk, Data("Content-Encoding: nonce".utf8) + [0, 1]).prefix(12)
        let box = try AES.GCM.SealedBox(
            nonce: AES.GCM.Nonce(data: nonce), ciphertext: record.dropLast(16), tag: record.suffix(16))
        var padded = try AES.GCM.open(box, using: SymmetricKey(data: contentKey))
        while padded.last == 0 { padded.removeLast() }
        guard padded.last == 2 else { throw Failure("the last record does not end with the 0x02 delimiter") }
        return padded.dropLast()
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    static func data(base64URL text: String) -> Data? { data(base64URL: Substring(text)) }
}
