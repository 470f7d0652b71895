import DeviceState
import Foundation

/// A message a client sends on the live socket (docs/live-protocol.md): `ping` or `ack`.
public enum LiveClientMessage: Sendable, Equatable {
    /// `{"type":"ping","t":…}`: answered with a `pong` that echoes `t`.
    case ping(t: Double?)
    /// `{"type":"ack","alert":"<id>"}`: the alert was seen in an open app.
    case ack(alertId: String)

    /// How long an acknowledged alert id may be, in UTF-8 bytes.
    public static let alertIdBytes = 1...64

    /// A text message the server does not take; each gets an `error` frame, and the
    /// connection stays open.
    public enum Rejection: Error, Sendable, Equatable {
        /// Not JSON, or not an object with a string `type` (also a field of the wrong type).
        case notJSON
        /// An `ack` without an alert id of 1 to 64 bytes.
        case malformedAck
        /// A `type` other than `ping` and `ack`.
        case unknownType

        /// The `code` of the error frame.
        public var code: String {
            switch self {
            case .notJSON: "invalid_json"
            case .malformedAck: "invalid_ack"
            case .unknownType: "unknown_type"
            }
        }

        /// The `message` of the error frame.
        public var message: Message {
            switch self {
            case .notJSON: .liveFrameNotJSON
            case .malformedAck: .liveAckMalformed
            case .unknownType: .liveUnknownType
            }
        }
    }

    /// The message a text frame holds, or why the server does not take it.
    public static func parse(_ text: String) -> Result<LiveClientMessage, Rejection> {
        guard let fields = try? JSONDecoder().decode(Fields.self, from: Data(text.utf8)) else {
            return .failure(.notJSON)
        }
        switch fields.type {
        case "ping":
            return .success(.ping(t: fields.t))
        case "ack":
            guard let alert = fields.alert, alertIdBytes.contains(alert.utf8.count) else { return .failure(.malformedAck) }
            return .success(.ack(alertId: alert))
        default:
            return .failure(.unknownType)
        }
    }

    /// The members any message may have; which matter depends on `type`.
    private struct Fields: Decodable {
        var type: String
        var t: Double?
        var alert: String?
    }
}
