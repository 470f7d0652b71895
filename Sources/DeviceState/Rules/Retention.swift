import Foundation

/// How long the store keeps what the product no longer needs: the reconciler prunes older rows.
public struct Retention: Sendable, Hashable {
    /// Events, for clients that resume with `since`; the newest event always stays, so the head `seq` survives.
    public var events: TimeInterval = 24 * 3600
    /// Delivered, gone, failed and expired push messages, for `admin push list` and `admin stats`.
    public var settledPushes: TimeInterval = 7 * 24 * 3600
    /// Idempotency keys: see ``IdempotencyKey/retention``.
    public var idempotencyKeys: TimeInterval = IdempotencyKey.retention

    public init() {}

    /// The moments before which each kind of row goes, at `now`.
    public func cutoffs(at now: Date) -> Cutoffs {
        Cutoffs(
            events: now.addingTimeInterval(-events), settledPushes: now.addingTimeInterval(-settledPushes),
            idempotencyKeys: now.addingTimeInterval(-idempotencyKeys))
    }

    public struct Cutoffs: Sendable, Hashable {
        public var events: Date
        public var settledPushes: Date
        public var idempotencyKeys: Date

        public init(events: Date, settledPushes: Date, idempotencyKeys: Date) {
            self.events = events
            self.settledPushes = settledPushes
            self.idempotencyKeys = idempotencyKeys
        }
    }
}

/// How many rows a prune deleted, by kind.
public struct PruneCounts: Codable, Sendable, Hashable {
    public var events = 0
    public var settledPushes = 0
    public var idempotencyKeys = 0

    public init() {}
}
