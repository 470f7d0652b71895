import Foundation

/// `Idempotency-Key`: a client's name for one request, so that a retry gets the first answer.
///
/// Keys are scoped per resident and kept for ``retention``: long enough for a phone's
/// offline queue to replay a start, short enough that the table stays small.
public enum IdempotencyKey {
    public static let maxLength = 128
    public static let retention: TimeInterval = 48 * 3600

    /// 1 to ``maxLength`` visible ASCII characters.
    public static func isValid(_ key: String) -> Bool {
        (1...maxLength).contains(key.utf8.count) && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}
