import AsyncHTTPClient
import DeviceState
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// What one POST to a push service came to, and so what the outbox does next.
public enum PushAttempt: Sendable, Equatable {
    /// 2xx: the push service accepted the message.
    case delivered(status: Int)
    /// 404 or 410: the subscription expired or was unsubscribed; delete it.
    case gone(status: Int)
    /// 429, 5xx, a timeout or a connection failure: try again later, no earlier than `retryAfter` when given.
    case retry(status: Int?, retryAfter: TimeInterval?, reason: String)
    /// 400, 403, 413 and every other answer that a retry would not change.
    case rejected(status: Int?, reason: String)

    /// Classifies a push service's answer (RFC 8030 §5, RFC 8292 §4.2).
    public static func classify(status: Int, retryAfter: String?, reason: String, at now: Date) -> PushAttempt {
        switch status {
        case 200..<300: .delivered(status: status)
        case 404, 410: .gone(status: status)
        case 408, 425, 429, 500..<600:
            .retry(status: status, retryAfter: retryAfter.flatMap { RetryAfter.seconds($0, now: now) }, reason: reason)
        default: .rejected(status: status, reason: reason)
        }
    }
}

/// Encrypts, signs and POSTs push messages with one shared HTTP client.
///
/// Redirects are never followed (a push service has no reason to redirect, and following
/// one would let an endpoint point the server anywhere), and the endpoint is checked
/// against the allowlist again before each request.
public final class PushSender: Sendable {
    let client: HTTPClient
    let policy: PushEndpointPolicy
    let totalTimeout: TimeAmount
    let logger: Logger

    /// - Parameters:
    ///   - connectTimeout: for opening a connection (TCP and TLS).
    ///   - totalTimeout: for the whole request, from sending to the last byte of the answer.
    ///   - maxConnectionsPerHost: HTTP/1.1 connections kept per push service; HTTP/2 multiplexes on one.
    public init(
        policy: PushEndpointPolicy, connectTimeout: TimeInterval = 5, totalTimeout: TimeInterval = 30,
        maxConnectionsPerHost: Int = 16, logger: Logger = Logger(label: "washboard.push")
    ) {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000))),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        )
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.policy = policy
        self.totalTimeout = .milliseconds(Int64(totalTimeout * 1000))
        // AsyncHTTPClient's debug and trace lines carry endpoint URLs, which are capabilities: never below info.
        var logger = logger
        logger.logLevel = max(logger.logLevel, .info)
        self.logger = logger
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Sends `message` to one subscription. Never throws: every failure is an attempt outcome.
    public func send(
        _ message: PushMessage, to subscription: PushSubscription, signer: VAPIDSigner, at now: Date = Date()
    ) async -> PushAttempt {
        do {
            _ = try policy.check(subscription.endpoint.absoluteString)
        } catch {
            return .rejected(status: nil, reason: error.problem.text())
        }
        if let topic = message.topic, !PushMessage.isValidTopic(topic) {
            return .rejected(status: nil, reason: Message.pushTopicInvalid.text())
        }
        let request: HTTPClientRequest
        do {
            let body = try PushEncryption.encrypt(message.payload, for: subscription.p256dh, authSecret: subscription.auth)
            request = try makeRequest(message, body: body, to: subscription.endpoint, signer: signer, at: now)
        } catch {
            return .rejected(status: nil, reason: "\(error)")
        }
        do {
            let response = try await client.execute(request, timeout: totalTimeout, logger: logger)
            let reason = await Self.reason(from: response)
            return PushAttempt.classify(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                reason: reason, at: now)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .retry(
                status: nil, retryAfter: nil,
                reason: Message.pushNoAnswer(milliseconds: totalTimeout.nanoseconds / 1_000_000).text())
        } catch {
            return .retry(status: nil, retryAfter: nil, reason: Self.describe(error))
        }
    }

    func makeRequest(
        _ message: PushMessage, body: Data, to endpoint: URL, signer: VAPIDSigner, at now: Date
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "TTL", value: String(max(0, message.timeToLive)))
        request.headers.add(name: "Urgency", value: message.urgency.rawValue)
        if let topic = message.topic { request.headers.add(name: "Topic", value: topic) }
        request.headers.add(name: "Content-Encoding", value: "aes128gcm")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.headers.add(name: "Authorization", value: try signer.authorization(for: endpoint, at: now))
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// The start of the answer's body as one printable line, for `admin push list` and the log.
    static func reason(from response: HTTPClientResponse) async -> String {
        var text = ""
        do {
            for try await chunk in response.body where text.utf8.count < 300 {
                text += String(decoding: chunk.readableBytesView.prefix(300), as: UTF8.self)
            }
        } catch {
            // The status says enough.
        }
        let line = text.unicodeScalars.map { $0.properties.isWhitespace || $0.value < 0x20 ? " " : Character($0) }
        let summary = String(line).split(separator: " ").joined(separator: " ").prefix(200)
        let status = "\(response.status.code) \(response.status.reasonPhrase)"
        return summary.isEmpty ? status : "\(status): \(summary)"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "request failed: \(error)" }
        return "request failed: \(String(describing: error).prefix(200))"
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
enum RetryAfter {
    static func seconds(_ value: String, now: Date) -> TimeInterval? {
        let value = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(value), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
