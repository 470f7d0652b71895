import Crypto
import Foundation
import Notify
import Testing

@Suite("VAPID (RFC 8292)")
struct VAPIDTests {
    struct Claims: Decodable, Equatable {
        var aud: String
        var exp: Int
        var sub: String
    }

    static func parts(_ token: String) -> [Substring] { token.split(separator: ".", omittingEmptySubsequences: false) }

    static func claims(_ token: String) throws -> Claims {
        try JSONDecoder().decode(Claims.self, from: Data(b64: String(parts(token)[1])))
    }

    static func verifies(_ token: String, key: String) throws -> Bool {
        let parts = parts(token)
        let publicKey = try P256.Signing.PublicKey(x963Representation: Data(b64: key))
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Data(b64: String(parts[2])))
        return publicKey.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8))
    }

    @Test("the RFC 8292 example token verifies with its key, and we encode its header and claims byte for byte")
    func rfc8292Example() throws {
        let vector = try Fixture.load("rfc8292-section-2.4.json", as: Fixture.RFC8292.self)
        #expect(try Self.verifies(vector.token, key: vector.publicKey))
        #expect(try Self.claims(vector.token) == Claims(aud: vector.aud, exp: vector.exp, sub: vector.sub))
        // A tampered token must not verify, or the check above proves nothing.
        let tampered = vector.token.replacingOccurrences(of: "eyJhdWQiOiJodHRwczovL3B1c2gu", with: "eyJhdWQiOiJodHRwczovL3B1c2Gu")
        #expect(try !Self.verifies(tampered, key: vector.publicKey))

        // ES256 signatures are randomized, but the signed part is deterministic: with the
        // example's claims our header and claims encode exactly as the RFC's.
        let signer = VAPIDSigner(key: VAPIDKey(), subject: try VAPIDSubject(vector.sub))
        let issuedAt = Date(timeIntervalSince1970: TimeInterval(vector.exp - 12 * 3600))
        let ours = try signer.token(audience: vector.aud, at: issuedAt)
        #expect(Self.parts(ours)[0...1] == Self.parts(vector.token)[0...1])
    }

    @Test("a token we make verifies with our public key and carries aud, exp and sub")
    func ourToken() throws {
        let key = VAPIDKey()
        let signer = VAPIDSigner(key: key, subject: try VAPIDSubject("mailto:laundry@dorm.example"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let header = try signer.authorization(for: URL(string: "https://fcm.googleapis.com/fcm/send/abc:def")!, at: now)

        let match = try #require(header.wholeMatch(of: /vapid t=([^,]+), k=(.+)/))
        let token = String(match.1)
        #expect(String(match.2) == key.publicKey)
        #expect(try Self.verifies(token, key: key.publicKey))
        #expect(try !Self.verifies(token, key: VAPIDKey().publicKey))
        let claims = try Self.claims(token)
        #expect(claims.aud == "https://fcm.googleapis.com")
        #expect(claims.sub == "mailto:laundry@dorm.example")
        #expect(claims.exp > Int(now.timeIntervalSince1970) && claims.exp <= Int(now.timeIntervalSince1970) + 24 * 3600)
    }

    @Test("tokens are cached per origin until an hour before they expire")
    func cachePerOrigin() throws {
        let signer = VAPIDSigner(key: VAPIDKey(), subject: try VAPIDSubject("https://dorm.example/contact"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try signer.token(audience: "https://fcm.googleapis.com", at: now)
        #expect(try signer.token(audience: "https://fcm.googleapis.com", at: now.addingTimeInterval(3600)) == first)
        let other = try signer.token(audience: "https://updates.push.services.mozilla.com", at: now)
        #expect(other != first)
        #expect(try Self.claims(other).aud == "https://updates.push.services.mozilla.com")
        let renewed = try signer.token(audience: "https://fcm.googleapis.com", at: now.addingTimeInterval(11.5 * 3600))
        #expect(renewed != first)
        #expect(try Self.claims(renewed).exp > Self.claims(first).exp)
    }

    @Test("the audience is the endpoint's origin: non-default port kept, path and query dropped")
    func audienceIsOrigin() throws {
        let signer = VAPIDSigner(key: VAPIDKey(), subject: try VAPIDSubject("mailto:a@b.example"))
        for (endpoint, origin) in [
            ("https://Web.Push.Apple.com/QGuQ?x=1", "https://web.push.apple.com"),
            ("https://fcm.googleapis.com:443/fcm/send/x", "https://fcm.googleapis.com"),
            ("http://127.0.0.1:8123/push/abc", "http://127.0.0.1:8123"),
        ] {
            let header = try signer.authorization(for: URL(string: endpoint)!)
            let token = String(try #require(header.wholeMatch(of: /vapid t=([^,]+), k=(.+)/)).1)
            #expect(try Self.claims(token).aud == origin)
        }
    }

    @Test("subjects are mailto: or https: URLs", arguments: ["mailto:admin@dorm.example", "https://dorm.example/contact"])
    func validSubject(_ subject: String) throws {
        #expect(try VAPIDSubject(subject).description == subject)
    }

    @Test("other subjects are refused", arguments: ["admin@dorm.example", "http://dorm.example", "mailto:", "mailto:a b@c", ""])
    func invalidSubject(_ subject: String) {
        #expect(throws: VAPIDError.self) { try VAPIDSubject(subject) }
    }

    @Test("the stored form round-trips and the key's description holds no private part")
    func storedKey() throws {
        let key = VAPIDKey()
        let restored = try VAPIDKey(storedPrivateKey: key.storedPrivateKey)
        #expect(restored.publicKey == key.publicKey)
        #expect(!"\(key)".contains(key.storedPrivateKey))
        #expect("\(key)".contains(key.publicKey))
        #expect(throws: VAPIDError.malformedStoredKey) { try VAPIDKey(storedPrivateKey: "not a key") }
    }
}
