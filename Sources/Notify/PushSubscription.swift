import Crypto
import DeviceState
import Foundation

/// A browser's push subscription, validated: the endpoint is one the server may POST to,
/// `p256dh` is an uncompressed point on P-256 and `auth` is 16 bytes.
public struct PushSubscription: Sendable {
    public let endpoint: URL
    public let p256dh: P256.KeyAgreement.PublicKey
    public let auth: Data

    /// What is wrong with a subscription, by the JSON field a browser sends it in.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var reason: InputProblem
        public var description: String { "\(field): \(reason.text())" }

        public init(field: String, reason: InputProblem) {
            self.field = field
            self.reason = reason
        }
    }

    /// Validates the fields of `PushSubscription.toJSON()`.
    public init(endpoint: String, p256dh: String, auth: String, policy: PushEndpointPolicy) throws(Invalid) {
        do {
            self.endpoint = try policy.check(endpoint)
        } catch {
            throw Invalid(field: "endpoint", reason: error.problem)
        }
        self.p256dh = try Self.publicKey(p256dh)
        guard let auth = Data(base64URLEncoded: auth), auth.count == 16 else {
            throw Invalid(field: "keys.auth", reason: .pushAuthSecret)
        }
        self.auth = auth
    }

    /// Restores a subscription the server stored after validating it.
    public init(storedEndpoint: String, p256dh: String, auth: String) throws(Invalid) {
        guard let endpoint = URL(string: storedEndpoint) else { throw Invalid(field: "endpoint", reason: .pushEndpointNotAURL) }
        self.endpoint = endpoint
        self.p256dh = try Self.publicKey(p256dh)
        guard let auth = Data(base64URLEncoded: auth), auth.count == 16 else {
            throw Invalid(field: "keys.auth", reason: .pushAuthSecret)
        }
        self.auth = auth
    }

    private static func publicKey(_ text: String) throws(Invalid) -> P256.KeyAgreement.PublicKey {
        guard let raw = Data(base64URLEncoded: text), raw.count == 65, raw.first == 0x04 else {
            throw Invalid(field: "keys.p256dh", reason: .pushKeyEncoding)
        }
        do {
            return try P256.KeyAgreement.PublicKey(x963Representation: raw)
        } catch {
            throw Invalid(field: "keys.p256dh", reason: .pushKeyNotOnCurve)
        }
    }
}
