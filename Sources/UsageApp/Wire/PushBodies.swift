/// `POST /api/push/subscriptions`: a browser's `PushSubscription.toJSON()`. Every field is
/// optional here so that a missing one is reported as a 422 naming it, like a malformed one.
public struct PushSubscriptionBody: Codable, Sendable, Equatable {
    public struct Keys: Codable, Sendable, Equatable {
        public var p256dh: String?
        public var auth: String?
    }
    public var endpoint: String?
    public var keys: Keys?
}

/// `DELETE /api/push/subscriptions`: the endpoint as the browser sent it when subscribing.
public struct PushUnsubscribeBody: Codable, Sendable, Equatable {
    public var endpoint: String
}
