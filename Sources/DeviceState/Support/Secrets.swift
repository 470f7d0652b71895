import Crypto
import Foundation

/// Random identifiers and secrets, and the hashes under which secrets are stored.
public enum Secrets {
    /// A bearer token: 32 random bytes, base64url, with a `wb_` prefix that secret scanners can match.
    public static func newToken() -> String {
        "wb_" + Data(randomBytes(32)).base64URLEncodedString()
    }

    /// Hex SHA-256: how tokens and enrollment codes are stored, so a copy of the database opens no session.
    public static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// A short lowercase id an admin can type (8 Crockford base32 characters, 40 bits).
    public static func newShortID() -> String {
        String(randomBytes(8).map { crockford[Int($0 & 31)] }).lowercased()
    }

    static func newUUID() -> String { UUID().uuidString.lowercased() }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Crockford's base32 alphabet: no I, L, O or U, so codes survive being read aloud.
    static let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
}

/// The format of enrollment codes: 12 Crockford base32 characters (60 bits) in groups of four.
public enum EnrollmentCodeFormat {
    public static func generate() -> String {
        let characters = Secrets.randomBytes(12).map { Secrets.crockford[Int($0 & 31)] }
        return stride(from: 0, to: 12, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The canonical form of what a resident typed: case, spaces and dashes ignored,
    /// and the letters people confuse with digits read as those digits.
    public static func normalize(_ typed: String) -> String {
        String(
            typed.uppercased().compactMap { character -> Character? in
                switch character {
                case "-", " ": nil
                case "O": "0"
                case "I", "L": "1"
                default: character
                }
            })
    }
}
