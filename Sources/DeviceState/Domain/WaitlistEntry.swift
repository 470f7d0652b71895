import Foundation

/// A resident waiting for a machine of a kind ("tell me when a washer is free"), anywhere or
/// in one location. The first waiter gets a `machine_free` alert when one becomes idle.
public struct WaitlistEntry: Codable, Sendable, Hashable {
    public var id: String
    public var residentId: String
    public var kind: Machine.Kind
    /// Only machines there; nil: any location.
    public var location: String?
    public var createdAt: Date
    /// An entry nobody served by then is dropped (``Waitlist/entryLifetime``).
    public var expiresAt: Date

    public init(
        id: String, residentId: String, kind: Machine.Kind, location: String?, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.residentId = residentId
        self.kind = kind
        self.location = location
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A resident's entry as the API shows it: with its place in the queue for its kind.
public struct WaitlistPlace: Codable, Sendable, Hashable {
    public var id: String
    public var kind: Machine.Kind
    public var location: String?
    /// 1 for the next resident to be told.
    public var position: Int
    public var createdAt: Date
    public var expiresAt: Date

    public init(_ entry: WaitlistEntry, position: Int) {
        id = entry.id
        kind = entry.kind
        location = entry.location
        self.position = position
        createdAt = entry.createdAt
        expiresAt = entry.expiresAt
    }

    enum CodingKeys: String, CodingKey { case id, kind, location, position, createdAt, expiresAt }

    /// `location` is written as null for "anywhere", as the API documents.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(location, forKey: .location)
        try container.encode(position, forKey: .position)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

/// A machine kept for the waiter who was told it is free, for a few minutes.
public struct MachineHold: Codable, Sendable, Hashable {
    public var residentId: String
    public var until: Date

    public init(residentId: String, until: Date) {
        self.residentId = residentId
        self.until = until
    }
}
