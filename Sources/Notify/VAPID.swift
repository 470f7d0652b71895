import Crypto
import DeviceState
import Foundation
import Synchronization

/// The application server's VAPID key pair (RFC 8292), which push services use to tie a
/// subscription to this server. Rotating it orphans every subscription.
///
/// `description` shows only the public key, so the key can be interpolated into a log line
/// by mistake without leaking the private half.
public struct VAPIDKey: Sendable, CustomStringConvertible {
    let privateKey: P256.Signing.PrivateKey
    /// The uncompressed public point, base64url: the PWA's `applicationServerKey` and the `k=` of each request.
    public let publicKey: String

    public init() {
        self.init(P256.Signing.PrivateKey())
    }

    private init(_ privateKey: P256.Signing.PrivateKey) {
        self.privateKey = privateKey
        publicKey = privateKey.publicKey.x963Representation.base64URLEncodedString()
    }

    /// Restores a key from its stored form.
    public init(storedPrivateKey: String) throws {
        guard let raw = Data(base64URLEncoded: storedPrivateKey) else { throw VAPIDError.malformedStoredKey }
        do {
            self.init(try P256.Signing.PrivateKey(rawRepresentation: raw))
        } catch {
            throw VAPIDError.malformedStoredKey
        }
    }

    /// The private scalar, base64url: for the database only, never for output.
    public var storedPrivateKey: String { privateKey.rawRepresentation.base64URLEncodedString() }

    public var description: String { "VAPIDKey(public: \(publicKey))" }
}

public enum VAPIDError: Error, Equatable, CustomStringConvertible {
    case malformedStoredKey
    case invalidSubject(String)

    public var description: String {
        switch self {
        case .malformedStoredKey: "the stored VAPID key is not a P-256 private key; generate a new one"
        case .invalidSubject: "the VAPID subject must be a mailto: or https: URL, e.g. mailto:admin@dorm.example"
        }
    }
}

/// Who push services contact about this server: a `mailto:` or `https:` URL (RFC 8292 §2.1).
public struct VAPIDSubject: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ text: String) throws(VAPIDError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let lowered = text.lowercased()
        let valid =
            if lowered.hasPrefix("mailto:") {
                text.dropFirst(7).contains("@") && !text.contains(where: \.isWhitespace)
            } else if lowered.hasPrefix("https://") {
                URLComponents(string: text)?.host?.isEmpty == false
            } else {
                false
            }
        guard valid, text.count <= 200 else { throw .invalidSubject(text) }
        description = text
    }
}

/// Makes the `Authorization: vapid t=…, k=…` header of push requests.
///
/// Tokens are ES256 JWTs with `aud` the push service's origin, `sub` the subject, and an
/// `exp` 12 hours ahead (RFC 8292 allows at most 24). One token serves every request to
/// an origin until an hour before it expires, so signing costs nothing per message.
public final class VAPIDSigner: Sendable {
    public let key: VAPIDKey
    public let subject: VAPIDSubject
    static let lifetime: TimeInterval = 12 * 3600
    static let renewBefore: TimeInterval = 3600

    private struct Token {
        var value: String
        var expiresAt: Date
    }
    private let tokens = Mutex<[String: Token]>([:])

    public init(key: VAPIDKey, subject: VAPIDSubject) {
        self.key = key
        self.subject = subject
    }

    /// The header value for a request to `endpoint`.
    public func authorization(for endpoint: URL, at now: Date = Date()) throws -> String {
        "vapid t=\(try token(audience: Self.origin(of: endpoint), at: now)), k=\(key.publicKey)"
    }

    /// A token for `audience`, from the cache while it has more than an hour left.
    public func token(audience: String, at now: Date) throws -> String {
        if let cached = tokens.withLock({ $0[audience] }), cached.expiresAt.timeIntervalSince(now) > Self.renewBefore {
            return cached.value
        }
        let expiresAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + Self.lifetime).rounded(.down))
        let value = try sign(Claims(aud: audience, exp: Int(expiresAt.timeIntervalSince1970), sub: subject.description))
        tokens.withLock { $0[audience] = Token(value: value, expiresAt: expiresAt) }
        return value
    }

    struct Claims: Codable, Equatable {
        var aud: String
        var exp: Int
        var sub: String
    }

    private static let header = Data(#"{"typ":"JWT","alg":"ES256"}"#.utf8).base64URLEncodedString()

    private func sign(_ claims: Claims) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let signingInput = Self.header + "." + (try encoder.encode(claims)).base64URLEncodedString()
        let signature = try key.privateKey.signature(for: Data(signingInput.utf8))
        return signingInput + "." + signature.rawRepresentation.base64URLEncodedString()
    }

    /// `scheme://host[:port]`, the port only when it is not the scheme's default.
    ///
    /// Read off the URL's text: the endpoint passed the allowlist, so it has no user info,
    /// and Foundation's `host` and `port` cost more than the rest of a cached header.
    static func origin(of url: URL) -> String {
        let text = url.absoluteString
        guard let separator = text.range(of: "://") else { return text.lowercased() }
        let scheme = text[..<separator.lowerBound].lowercased()
        var authority = text[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }.lowercased()
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if authority.hasSuffix(defaultPort) { authority.removeLast(defaultPort.count) }
        return scheme + "://" + authority
    }
}
