import Foundation

/// A browser's push subscription as stored: where to POST and the keys to encrypt for.
///
/// `p256dh` and `auth` are secrets of the resident's browser: they never appear in
/// output or logs (`description` leaves them out, and admin lists show the origin only).
public struct PushSubscriptionRecord: Codable, Sendable, Hashable, CustomStringConvertible {
    public var id: String
    public var residentId: String
    public var endpoint: String
    public var p256dh: String
    public var auth: String
    public var createdAt: Date
    /// Health, as the push service's answers tell it: the last message it accepted, the
    /// last it did not (with its status; nil for a timeout), and how many in a row it did not.
    public var lastSuccessAt: Date?
    public var lastFailureAt: Date?
    public var lastFailureStatus: Int?
    public var consecutiveFailures: Int
    /// The push service said the subscription no longer exists (404/410). Kept, so that the
    /// resident's device list can say so, until the push history is pruned; nothing is sent to it.
    public var goneAt: Date?

    public init(
        id: String, residentId: String, endpoint: String, p256dh: String, auth: String, createdAt: Date,
        lastSuccessAt: Date? = nil, lastFailureAt: Date? = nil, lastFailureStatus: Int? = nil, consecutiveFailures: Int = 0,
        goneAt: Date? = nil
    ) {
        self.id = id
        self.residentId = residentId
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
        self.createdAt = createdAt
        self.lastSuccessAt = lastSuccessAt
        self.lastFailureAt = lastFailureAt
        self.lastFailureStatus = lastFailureStatus
        self.consecutiveFailures = consecutiveFailures
        self.goneAt = goneAt
    }

    /// What the resident's device list says of it.
    public enum Health: String, Codable, Sendable {
        /// Its last message arrived, or none was sent yet.
        case ok
        /// Its last messages did not arrive (refused, timed out, or the service was down).
        case failing
        /// The push service no longer knows it: the browser must subscribe again.
        case gone
    }

    public var health: Health {
        if goneAt != nil { return .gone }
        return consecutiveFailures >= Self.failingAfter ? .failing : .ok
    }

    /// A resident's browsers and devices; one more is refused until an old one is removed or gone.
    public static let limitPerResident = 10

    /// Refusals in a row after which a subscription is failing and nothing more is queued for it.
    ///
    /// A push service refuses every message of a subscription it cannot accept messages for
    /// (403 when the subscription was made with another VAPID key, 400 for keys it rejects):
    /// sending more only repeats the refusal. The refused messages stay in the outbox for
    /// `serve --push-history-days`; once they are pruned the subscription is tried again, a
    /// few times a week at most. A browser that subscribes again starts with no history: a new
    /// endpoint is a new subscription, and the same endpoint has its old messages unlinked.
    public static let failingAfter = 3

    /// Whether a subscription whose newest settled messages, newest first, ended as `states` is failing.
    public static func isFailing(newestSettled states: [PushOutboxEntry.State]) -> Bool {
        states.count >= failingAfter && states.prefix(failingAfter).allSatisfy { $0 == .failed }
    }

    /// Whether a resident who has `count` subscriptions may add another.
    /// - Throws: ``DeviceStateError/tooManyPushSubscriptions(limit:)`` at the limit.
    public static func checkRoom(besides count: Int) throws(DeviceStateError) {
        guard count < limitPerResident else { throw .tooManyPushSubscriptions(limit: limitPerResident) }
    }

    public var description: String { "push subscription \(id) of \(residentId) at \(PushOutboxEntry.origin(of: endpoint))" }
}

/// One push message to one subscription, kept until it is delivered, refused or too old.
public struct PushOutboxEntry: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Waiting for its first attempt or for a retry at `nextAttemptAt`.
        case pending
        /// The push service accepted it (2xx).
        case delivered
        /// The push service said the subscription no longer exists (404/410); the subscription is marked gone.
        case gone
        /// Refused for a reason a retry would not change (400, 403, 413, …), see `lastError`.
        case failed
        /// Its time to live ran out before a push service accepted it.
        case expired
    }

    public var id: String
    /// Nil once the subscription has been deleted.
    public var subscriptionId: String?
    public var residentId: String
    /// `scheme://host[:port]` of the endpoint: enough to tell push services apart, without the capability URL.
    public var endpointOrigin: String
    public var alertId: String?
    /// The plaintext JSON the service worker receives.
    public var payload: String
    public var urgency: PushUrgency
    public var topic: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
    public var settledAt: Date?

    public static func origin(of endpoint: String) -> String {
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme,
            let host = components.host
        else { return "?" }
        return components.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}

/// RFC 8030 §5.3: how hard the push service may try to wake the device for a message.
public enum PushUrgency: String, Codable, Sendable, CaseIterable {
    case veryLow = "very-low"
    case low
    case normal
    case high
}

/// A push message for every subscription of one resident.
public struct PushDraft: Sendable, Hashable {
    public var residentId: String
    public var alertId: String?
    public var payload: String
    public var urgency: PushUrgency
    public var topic: String?
    public var expiresAt: Date

    public init(
        residentId: String, alertId: String? = nil, payload: String, urgency: PushUrgency, topic: String?, expiresAt: Date
    ) {
        self.residentId = residentId
        self.alertId = alertId
        self.payload = payload
        self.urgency = urgency
        self.topic = topic
        self.expiresAt = expiresAt
    }
}

/// An outbox row leased to one worker, with the subscription to send it to.
public struct ClaimedPush: Sendable {
    public var entry: PushOutboxEntry
    public var subscription: PushSubscriptionRecord
}

/// How an attempt ended, as the outbox records it.
public enum PushSettlement: Sendable, Equatable {
    case delivered(status: Int)
    /// Deletes the subscription, and settles its other pending rows as gone too.
    case gone(status: Int)
    /// Back to pending until `at`; expired instead when `at` is past the row's `expiresAt`.
    case retry(at: Date, status: Int?, reason: String)
    case failed(status: Int?, reason: String)
}

/// How one attempt ended, and when.
public struct PushOutcome: Sendable, Equatable {
    public var id: String
    public var settlement: PushSettlement
    public var at: Date

    public init(id: String, settlement: PushSettlement, at: Date) {
        self.id = id
        self.settlement = settlement
        self.at = at
    }
}
