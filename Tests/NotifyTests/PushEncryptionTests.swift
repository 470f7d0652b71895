import Crypto
import DeviceState
import Foundation
import Notify
import Testing

@Suite("RFC 8291 encryption")
struct PushEncryptionTests {
    @Test("the RFC 8291 Appendix A example: its keys and salt give its exact body")
    func rfc8291Example() throws {
        let vector = try Fixture.load("rfc8291-appendix-a.json", as: Fixture.RFC8291.self)
        let serverKey = try P256.KeyAgreement.PrivateKey(rawRepresentation: Data(b64: vector.asPrivate))
        #expect(serverKey.publicKey.x963Representation == Data(b64: vector.asPublic))
        let subscriber = try P256.KeyAgreement.PublicKey(x963Representation: Data(b64: vector.uaPublic))

        let body = try PushEncryption.encrypt(
            Data(b64: vector.plaintext), for: subscriber, authSecret: Data(b64: vector.authSecret),
            ephemeralKey: serverKey, salt: Data(b64: vector.salt))

        #expect(body.base64URLEncodedString() == vector.body)
    }

    @Test("one record with only the delimiter as padding, up to 3993 bytes; more is refused before sending")
    func minimalPaddingAndLimit() throws {
        let subscriber = P256.KeyAgreement.PrivateKey().publicKey
        let auth = Data(repeating: 7, count: 16)
        for size in [0, 1, 200, PushEncryption.maxPlaintextBytes] {
            let body = try PushEncryption.encrypt(Data(repeating: 0x41, count: size), for: subscriber, authSecret: auth)
            // 16 salt + 4 record size + 1 + 65 key id, then the plaintext, the 0x02 delimiter and the 16-byte tag.
            #expect(body.count == 86 + size + 1 + 16)
        }
        #expect(throws: PushEncryption.Failure.plaintextTooLarge(bytes: 3994)) {
            try PushEncryption.encrypt(Data(count: 3994), for: subscriber, authSecret: auth)
        }
        #expect(throws: PushEncryption.Failure.invalidAuthSecret) {
            try PushEncryption.encrypt(Data(count: 10), for: subscriber, authSecret: Data(count: 15))
        }
    }

    @Test("every message gets a fresh salt and ephemeral key")
    func freshKeysPerMessage() throws {
        let subscriber = P256.KeyAgreement.PrivateKey().publicKey
        let auth = Data(repeating: 1, count: 16)
        let first = try PushEncryption.encrypt(Data("same".utf8), for: subscriber, authSecret: auth)
        let second = try PushEncryption.encrypt(Data("same".utf8), for: subscriber, authSecret: auth)
        #expect(first.prefix(16) != second.prefix(16))
        #expect(first[21..<86] != second[21..<86])
        #expect(first.suffix(21) != second.suffix(21))
    }
}
