import DeviceState
import Foundation
import Wire

/// A server → client frame of the live protocol, encoded once and shared by every recipient.
struct LiveFrame: Sendable {
    let seq: Int64
    let topic: Event.Topic
    let kind: Event.Kind
    /// The JSON text sent on the socket.
    let text: String
    /// An alert's frame per language but English (its title and body rendered for the
    /// reader); empty for every other frame, which reads the same in every language.
    let localized: [Language: String]
    /// The alert an `alert` frame carries.
    let alertId: String?
    /// When the hub received it (`DispatchTime` nanoseconds), for the fan-out latency metric.
    let publishedAt: UInt64

    /// The frame of an event: its payload object with `type` and `seq` spliced in front.
    init(_ event: Event) {
        seq = event.seq
        topic = event.topic
        kind = event.kind
        text = FrameText.splice(type: event.kind.rawValue, seq: event.seq, into: String(decoding: event.payload, as: UTF8.self))
        let alert = event.alertPayloads
        alertId = alert?.alertId
        localized = (alert?.byLanguage ?? [:]).mapValues { payload in
            FrameText.splice(type: event.kind.rawValue, seq: event.seq, into: String(decoding: payload, as: UTF8.self))
        }
        publishedAt = DispatchTime.now().uptimeNanoseconds
    }

    /// The text for a reader of `language`.
    func text(in language: Language) -> String { localized[language] ?? text }

    /// Whether a connection of `residentId` receives this frame.
    func isVisible(to residentId: String) -> Bool { Self.isVisible(topic, to: residentId) }

    /// Whether a connection of `residentId` receives the frames of `topic`.
    static func isVisible(_ topic: Event.Topic, to residentId: String) -> Bool {
        switch topic {
        case .board: true
        case .resident(let id): id == residentId
        }
    }
}

/// Frames that are not events: built per connection.
enum ControlFrame {
    /// `resident` on a resident's connection, `kiosk` on a kiosk's.
    struct Hello: Encodable {
        var type = "hello"
        var seq: Int64
        var resident: Resident?
        var kiosk: Kiosk?
        var heartbeatSeconds: Int
    }

    struct Pong: Encodable {
        var type = "pong"
        var t: Double?
    }

    struct ErrorFrame: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var type = "error"
        var error: Detail
    }

    static func text(_ value: some Encodable) -> String {
        (try? String(decoding: DomainJSON.encoder().encode(value), as: UTF8.self)) ?? "{}"
    }

    /// The answer to a client message the server does not take.
    static func error(_ rejection: LiveClientMessage.Rejection, in language: Language) -> String {
        text(ErrorFrame(error: .init(code: rejection.code, message: rejection.message.text(in: language))))
    }
}

/// The text of a live frame.
enum FrameText {
    /// `{"type":…,"seq":…,` followed by the members of `object` (a JSON object's text).
    static func splice(type: String, seq: Int64, into object: some StringProtocol) -> String {
        let members = object.drop { $0 != "{" }.dropFirst()
        let head = #"{"type":"\#(type)","seq":\#(seq)"#
        return members.trimmingCharacters(in: .whitespaces) == "}" ? head + "}" : head + "," + members
    }
}
