import Foundation

/// One row of the event log: every change a client shows appends one, in the same
/// transaction as the change. The log feeds live updates and resume.
public struct Event: Sendable, Hashable {
    /// Who receives an event: everyone looking at the board, or one resident.
    public enum Topic: Sendable, Hashable, CustomStringConvertible {
        case board
        case resident(String)

        public init?(_ text: String) {
            if text == "board" {
                self = .board
            } else if text.hasPrefix("resident:"), text.count > "resident:".count {
                self = .resident(String(text.dropFirst("resident:".count)))
            } else {
                return nil
            }
        }

        public var description: String {
            switch self {
            case .board: "board"
            case .resident(let id): "resident:\(id)"
            }
        }
    }

    /// What changed. The raw values are the WebSocket frame types where one exists.
    public enum Kind: String, Sendable, CaseIterable {
        /// Payload `{"machine": MachineStatus}`.
        case machine
        /// Payload `{"id": machineId}`: an admin removed the machine.
        case machineRemoved = "machine_removed"
        /// Payload `{"notice": Notice}`.
        case notice
        /// Payload `{"id": noticeId}`.
        case noticeRemoved = "notice_removed"
        /// Payload `{"alert": Alert}`, on the resident's topic.
        case alert
        /// Payload `{}`, on the resident's topic: close their connections.
        case sessionRevoked = "session_revoked"
        /// Payload `{"ids": [alertId] | null, "at": date}` on the resident's topic: alerts
        /// marked read on one device (null: all of them), for the others to show.
        case alertsRead = "alerts_read"
    }

    /// Strictly increasing, never reused (SQLite `AUTOINCREMENT`).
    public var seq: Int64
    public var at: Date
    public var topic: Topic
    public var kind: Kind
    /// A JSON object: the frame's fields besides `type` and `seq`.
    public var payload: Data

    public init(seq: Int64, at: Date, topic: Topic, kind: Kind, payload: Data) {
        self.seq = seq
        self.at = at
        self.topic = topic
        self.kind = kind
        self.payload = payload
    }
}

/// What every board shows: machines with their open uses and the live notices, as of ``seq``.
public struct Board: Codable, Sendable, Hashable {
    /// The head of the event log when the board was read; resume from here with `since`.
    public var seq: Int64
    public var machines: [MachineStatus]
    public var notices: [Notice]
    /// The board at a glance, as of when it was read (see ``KindSummary``).
    public var summary: [KindSummary]

    public init(seq: Int64, machines: [MachineStatus], notices: [Notice], at now: Date) {
        self.seq = seq
        self.machines = machines
        self.notices = notices
        self.summary = KindSummary.summaries(of: machines, at: now)
    }
}

/// Payloads of the events, shaped as the WebSocket frames that carry them.
enum EventPayload {
    struct MachineChanged: Encodable { var machine: MachineStatus }
    struct Removed: Encodable { var id: String }
    struct NoticeChanged: Encodable { var notice: Notice }
    struct AlertCreated: Codable { var alert: Alert }
    struct AlertsRead: Encodable {
        var ids: [String]?
        var at: Date
        enum CodingKeys: String, CodingKey { case ids, at }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ids, forKey: .ids)  // null for "all", not left out
            try container.encode(at, forKey: .at)
        }
    }
    struct Empty: Encodable {}
}

extension Event {
    /// An `alert` event's alert id, and its payload with the title and body in each language
    /// but English (the payload as stored is English), for the frames of readers of that
    /// language: empty for alerts stored as text only. Nil for other events. Decoded once.
    public var alertPayloads: (alertId: String, byLanguage: [Language: Data])? {
        guard kind == .alert, let created = try? DomainJSON.decoder().decode(EventPayload.AlertCreated.self, from: payload)
        else { return nil }
        var payloads: [Language: Data] = [:]
        if created.alert.content != nil {
            for language in Language.allCases where language != .english {
                payloads[language] = try? DomainJSON.encoder().encode(
                    EventPayload.AlertCreated(alert: created.alert.rendered(in: language)))
            }
        }
        return (created.alert.id, payloads)
    }
}
