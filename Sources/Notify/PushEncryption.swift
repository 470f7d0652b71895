import Crypto
import Foundation

/// RFC 8291 message encryption with the `aes128gcm` content coding of RFC 8188.
///
/// Every message gets a fresh ephemeral key pair and salt, and is sent as one record
/// padded only with the mandatory delimiter: padding to the 4096-byte maximum would hide
/// the length, but cost push-service bandwidth and the resident's data plan for nothing
/// here, since every payload kind has a similar size anyway.
public enum PushEncryption {
    /// The largest plaintext that fits one 4096-byte record after the 86-byte header,
    /// the padding delimiter and the 16-byte tag.
    public static let maxPlaintextBytes = 3993

    /// The record size written into the header; the one record is never larger.
    static let recordSize: UInt32 = 4096

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case plaintextTooLarge(bytes: Int)
        case invalidAuthSecret

        public var description: String {
            switch self {
            case .plaintextTooLarge(let bytes):
                "a push payload may have at most \(PushEncryption.maxPlaintextBytes) bytes; this one has \(bytes)"
            case .invalidAuthSecret: "the subscription's auth secret must be 16 bytes"
            }
        }
    }

    /// Encrypts `plaintext` for one subscriber.
    /// - Parameters:
    ///   - subscriberKey: the subscription's `p256dh` key (the user agent's public key).
    ///   - authSecret: the subscription's 16-byte `auth` secret.
    ///   - ephemeralKey, salt: fresh per message; tests pass the RFC's to reproduce its example.
    /// - Returns: the request body: header, then the one encrypted record.
    public static func encrypt(
        _ plaintext: some DataProtocol,
        for subscriberKey: P256.KeyAgreement.PublicKey,
        authSecret: Data,
        ephemeralKey: P256.KeyAgreement.PrivateKey = ephemeralKey(),
        salt: Data = randomSalt()
    ) throws -> Data {
        guard plaintext.count <= maxPlaintextBytes else { throw Failure.plaintextTooLarge(bytes: plaintext.count) }
        guard authSecret.count == 16 else { throw Failure.invalidAuthSecret }
        let serverPublic = ephemeralKey.publicKey.x963Representation
        let subscriberPublic = subscriberKey.x963Representation

        // RFC 8291 §3.4: combine the ECDH secret with the auth secret into the IKM...
        let ecdhSecret = try ephemeralKey.sharedSecretFromKeyAgreement(with: subscriberKey)
        var keyInfo = Data("WebPush: info\0".utf8)
        keyInfo.append(subscriberPublic)
        keyInfo.append(serverPublic)
        let ikm = ecdhSecret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: authSecret, sharedInfo: keyInfo, outputByteCount: 32)

        // ...then RFC 8188 §2.2 and §2.3: the content key and nonce from the IKM and salt.
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let contentKey = HKDF<SHA256>.expand(
            pseudoRandomKey: prk, info: Data("Content-Encoding: aes128gcm\0".utf8), outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(
            pseudoRandomKey: prk, info: Data("Content-Encoding: nonce\0".utf8), outputByteCount: 12)

        var record = Data(plaintext)
        record.append(0x02)  // the delimiter of the last (here: only) record, no padding after it
        let sealed = try AES.GCM.seal(
            record, using: contentKey, nonce: AES.GCM.Nonce(data: nonce.withUnsafeBytes { Data($0) }))

        var body = Data(capacity: 86 + record.count + 16)
        body.append(salt)
        withUnsafeBytes(of: recordSize.bigEndian) { body.append(contentsOf: $0) }
        body.append(UInt8(serverPublic.count))
        body.append(serverPublic)
        body.append(sealed.ciphertext)
        body.append(sealed.tag)
        return body
    }

    /// A fresh key pair from a uniformly random scalar.
    ///
    /// swift-crypto's `P256.KeyAgreement.PrivateKey()` took about 90 µs here, half of a
    /// message's cost; deriving the key from 32 random bytes takes about 12. A value not
    /// below the group order (probability about 2⁻³²) is drawn again.
    public static func ephemeralKey() -> P256.KeyAgreement.PrivateKey {
        while true {
            let scalar = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            if let key = try? P256.KeyAgreement.PrivateKey(rawRepresentation: scalar) { return key }
        }
    }

    public static func randomSalt() -> Data {
        Data(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) })
    }
}
