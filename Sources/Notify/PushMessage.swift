import DeviceState
import Foundation

/// One push message as the push service sees it: an opaque payload plus the headers of
/// RFC 8030 that tell the push service how to treat it.
public struct PushMessage: Sendable, Equatable {
    /// The plaintext; encrypted per subscription just before it is sent.
    public var payload: Data
    /// How long the push service keeps the message for an offline device, in seconds.
    public var timeToLive: Int
    public var urgency: PushUrgency
    /// A collapse key: a newer message with the same topic replaces an undelivered older one.
    public var topic: String?

    public init(payload: Data, timeToLive: Int, urgency: PushUrgency = .normal, topic: String? = nil) {
        self.payload = payload
        self.timeToLive = timeToLive
        self.urgency = urgency
        self.topic = topic
    }

    /// RFC 8030 §5.4: 1 to 32 characters of the base64url alphabet.
    public static func isValidTopic(_ topic: String) -> Bool {
        (1...32).contains(topic.utf8.count) && topic.utf8.allSatisfy(Base64URL.isAlphabet)
    }
}
