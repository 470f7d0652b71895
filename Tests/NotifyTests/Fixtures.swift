import DeviceState
import Foundation

/// Test vectors in `fixtures/`, named after the RFC section they come from.
enum Fixture {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures").appendingPathComponent(name)
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// The file also holds the RFC's intermediate values (ECDH secret, IKM, CEK) for a person debugging a mismatch.
    struct RFC8291: Decodable {
        var plaintext, asPublic, asPrivate, uaPublic, salt, authSecret, body: String
    }

    struct RFC8292: Decodable {
        var token, publicKey, aud, sub: String
        var exp: Int
    }
}

extension Data {
    /// Test shorthand: the fixture is known to be valid base64url.
    init(b64: String) {
        self = Data(base64URLEncoded: b64)!
    }
}
