import Foundation

/// base64url (RFC 4648 §5), the encoding of every key, token and topic in Web Push: the one
/// place that knows its alphabet.
public enum Base64URL {
    /// `A`–`Z`, `a`–`z`, `0`–`9`, `-` and `_`.
    public static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

extension Data {
    /// Decodes base64url with or without `=` padding, as browsers and push services send it;
    /// nil for anything else, including standard base64's `+` and `/`.
    public init?(base64URLEncoded text: some StringProtocol) {
        guard text.utf8.allSatisfy({ Base64URL.isAlphabet($0) || $0 == UInt8(ascii: "=") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    /// base64url without padding.
    public func base64URLEncodedString() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
