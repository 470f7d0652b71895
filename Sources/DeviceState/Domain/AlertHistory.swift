import Foundation

/// What became of an alert on its way to the resident: the ledger behind the alert history
/// and `admin alerts`. Each leg is recorded by whoever took it, in the transaction that did.
public struct AlertLedger: Codable, Sendable, Hashable {
    /// When the resident marked it read, on any device. An ack from an open app is not a read.
    public var readAt: Date?
    /// Handed to open connections: first when, and how many sockets in all instances.
    public var live: Live?
    /// An open app showed it (`ack`): no push follows.
    public var ackedAt: Date?
    /// The router held it (quiet hours) until then.
    public var held: Held?
    /// The router's final answer: pushed or dropped, when and why.
    public var routed: Routed?
    /// Each push message queued for it, one per device, as the outbox holds them
    /// (for `serve --push-history-days` once settled).
    public var pushes: [Push]

    public init(
        readAt: Date? = nil, live: Live? = nil, ackedAt: Date? = nil, held: Held? = nil, routed: Routed? = nil,
        pushes: [Push] = []
    ) {
        self.readAt = readAt
        self.live = live
        self.ackedAt = ackedAt
        self.held = held
        self.routed = routed
        self.pushes = pushes
    }

    public struct Live: Codable, Sendable, Hashable {
        public var at: Date
        public var sockets: Int

        public init(at: Date, sockets: Int) {
            self.at = at
            self.sockets = sockets
        }
    }

    public struct Held: Codable, Sendable, Hashable {
        public var until: Date
        public var because: AlertRoute.Reason

        public init(until: Date, because: AlertRoute.Reason) {
            self.until = until
            self.because = because
        }
    }

    public struct Routed: Codable, Sendable, Hashable {
        public enum Outcome: String, Codable, Sendable, Hashable {
            case pushed, dropped
        }
        public var outcome: Outcome
        public var at: Date
        public var because: AlertRoute.Reason

        public init(outcome: Outcome, at: Date, because: AlertRoute.Reason) {
            self.outcome = outcome
            self.at = at
            self.because = because
        }
    }

    /// One device's push message: its state, the push service's last answer, and when.
    public struct Push: Codable, Sendable, Hashable {
        /// The subscription (device), or nil once it was removed.
        public var device: String?
        /// The push service, e.g. `https://fcm.googleapis.com`.
        public var service: String
        public var state: PushOutboxEntry.State
        /// The last HTTP status (201, 404, 410, 429, 5xx), nil before an answer or after a timeout.
        public var status: Int?
        public var error: String?
        public var attempts: Int
        /// When it was settled, or when it is next tried.
        public var at: Date

        public init(entry: PushOutboxEntry) {
            device = entry.subscriptionId
            service = entry.endpointOrigin
            state = entry.state
            status = entry.lastStatus
            error = entry.lastError
            attempts = entry.attempts
            at = entry.settledAt ?? entry.nextAttemptAt
        }
    }
}

/// An alert as the resident looks back at it.
public struct AlertEntry: Sendable, Hashable {
    public var alert: Alert
    public var ledger: AlertLedger

    public init(alert: Alert, ledger: AlertLedger) {
        self.alert = alert
        self.ledger = ledger
    }

    /// How far back the alert history reaches.
    public static let historyDays = 30
    /// Alerts in one page of the history at most.
    public static let pageLimit = 100
}

/// Alerts an instance handed to open connections, to be recorded in their ledgers.
public struct LiveDelivery: Sendable, Hashable {
    public var alertId: String
    public var sockets: Int

    public init(alertId: String, sockets: Int) {
        self.alertId = alertId
        self.sockets = sockets
    }
}

extension AlertEntry {
    /// The entry with its alert's title and body in `language`.
    public func rendered(in language: Language) -> AlertEntry {
        var entry = self
        entry.alert = alert.rendered(in: language)
        return entry
    }
}
