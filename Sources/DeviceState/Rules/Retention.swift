import Foundation

/// How long the store keeps what the product no longer needs: the reconciler prunes older rows.
public struct Retention: Sendable, Hashable {
    /// Events, for clients that resume with `since`; the newest event always stays, so the head `seq` survives.
    public var events: TimeInterval = 24 * 3600
    /// Delivered, gone, failed and expired push messages, for `admin push list` and `admin stats`.
    public var settledPushes: TimeInterval = 7 * 24 * 3600
    /// Idempotency keys: see ``IdempotencyKey/retention``.
    public var idempotencyKeys: TimeInterval = IdempotencyKey.retention
    /// Alerts, for the resident's alert history; at least its 30 days.
    public var alerts: TimeInterval = 90 * 86400
    /// The dorm's history, for `admin stats` over a year: closed uses and their pickup
    /// requests, resolved reports, ended outages, ended notices. Also what can no longer be
    /// used after this long: sessions unused for it (past any idle limit), enrollment codes
    /// and waitlist entries that expired.
    public var history: TimeInterval = 400 * 86400

    public init() {}

    /// The moments before which each kind of row goes, at `now`.
    public func cutoffs(at now: Date) -> Cutoffs {
        Cutoffs(
            events: now.addingTimeInterval(-events), settledPushes: now.addingTimeInterval(-settledPushes),
            idempotencyKeys: now.addingTimeInterval(-idempotencyKeys), alerts: now.addingTimeInterval(-alerts),
            history: now.addingTimeInterval(-history))
    }

    public struct Cutoffs: Sendable, Hashable {
        public var events: Date
        public var settledPushes: Date
        public var idempotencyKeys: Date
        public var alerts: Date
        public var history: Date

        public init(events: Date, settledPushes: Date, idempotencyKeys: Date, alerts: Date, history: Date) {
            self.events = events
            self.settledPushes = settledPushes
            self.idempotencyKeys = idempotencyKeys
            self.alerts = alerts
            self.history = history
        }
    }
}

/// How many rows a prune deleted, by kind.
public struct PruneCounts: Codable, Sendable, Hashable {
    public var events = 0
    public var settledPushes = 0
    public var idempotencyKeys = 0
    public var alerts = 0
    /// Rows of the dorm's history and of expired credentials, of every table together.
    public var history = 0

    public init() {}
}
