import DeviceState

/// `POST /api/waitlist`: "tell me when a washer is free", anywhere or at one location.
public struct WaitlistJoinBody: Codable, Sendable, Equatable {
    public var kind: Machine.Kind
    public var location: String?
}
