import Foundation

/// One push message as the push service sees it: an opaque payload plus the headers of
/// RFC 8030 that tell the push service how to treat it.
public struct PushMessage: Sendable, Equatable {
    /// RFC 8030 §5.3: how hard the push service may try to wake the device for this.
    public enum Urgency: String, Sendable, CaseIterable, Codable {
        case veryLow = "very-low"
        case low
        case normal
        case high
    }

    /// The plaintext; encrypted per subscription just before it is sent.
    public var payload: Data
    /// How long the push service keeps the message for an offline device, in seconds.
    public var timeToLive: Int
    public var urgency: Urgency
    /// A collapse key: a newer message with the same topic replaces an undelivered older one.
    public var topic: String?

    public init(payload: Data, timeToLive: Int, urgency: Urgency = .normal, topic: String? = nil) {
        self.payload = payload
        self.timeToLive = timeToLive
        self.urgency = urgency
        self.topic = topic
    }

    /// RFC 8030 §5.4: at most 32 characters of the base64url alphabet.
    public static func isValidTopic(_ topic: String) -> Bool {
        (1...32).contains(topic.utf8.count)
            && topic.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }
}
