import Foundation

/// One resident's occupation of a machine, from the tap on "start" until the laundry is collected.
///
/// An open use is *running* before `endsAt` and *done — awaiting pickup* after it.
public struct Use: Codable, Sendable, Hashable {
    /// Why a use ended.
    ///
    /// `cleared` is not in the design's list: it records an admin's `machine clear`, which
    /// is neither the owner collecting nor the reconciler's auto-release.
    public enum CloseReason: String, Codable, Sendable, CaseIterable {
        case collected
        case cancelled
        case autoReleased = "auto_released"
        case machineBroken = "machine_broken"
        case cleared
    }

    public var id: String
    public var machineId: String
    public var residentId: String
    public var startedAt: Date
    public var endsAt: Date
    public var closedAt: Date?
    public var closeReason: CloseReason?
    /// Where the start was tapped, for `admin stats`; not part of the API's use object.
    public var startedFrom: Source?

    /// Where a start came from: nil is the app's board; `label` is the QR code or NFC sticker
    /// on the machine (`/m/ID`).
    public enum Source: String, Codable, Sendable {
        case label
    }

    public init(
        id: String, machineId: String, residentId: String, startedAt: Date, endsAt: Date,
        closedAt: Date? = nil, closeReason: CloseReason? = nil, startedFrom: Source? = nil
    ) {
        self.id = id
        self.machineId = machineId
        self.residentId = residentId
        self.startedAt = startedAt
        self.endsAt = endsAt
        self.closedAt = closedAt
        self.closeReason = closeReason
        self.startedFrom = startedFrom
    }

    public var isOpen: Bool { closedAt == nil }

    /// The cycle has ended and the laundry waits for its owner.
    public func isDone(at now: Date) -> Bool { isOpen && now >= endsAt }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(machineId, forKey: .machineId)
        try container.encode(residentId, forKey: .residentId)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(endsAt, forKey: .endsAt)
        // Always present, `null` while open: clients need not guess whether a key is missing.
        try container.encode(closedAt, forKey: .closedAt)
        try container.encode(closeReason, forKey: .closeReason)
    }
}

/// A resident's request to start a machine.
public struct StartUseRequest: Sendable, Hashable {
    public var machineId: String
    public var residentId: String
    /// The cycle length; nil takes the machine's default.
    public var minutes: Int?
    /// A client-chosen key: the same key from the same resident returns the first response.
    public var idempotencyKey: String?
    public var startedFrom: Use.Source?

    public init(
        machineId: String, residentId: String, minutes: Int? = nil, idempotencyKey: String? = nil,
        startedFrom: Use.Source? = nil
    ) {
        self.machineId = machineId
        self.residentId = residentId
        self.minutes = minutes
        self.idempotencyKey = idempotencyKey
        self.startedFrom = startedFrom
    }
}

/// The outcome of ``UseStore/startUse(_:at:)``.
public struct StartedUse: Sendable, Hashable {
    /// The use as it was when it started (also on a replay).
    public var use: Use
    /// True when an earlier request with the same idempotency key created the use.
    public var replayed: Bool
}

/// A waiting resident's request that the owner of a finished cycle come and collect.
public struct PickupRequest: Codable, Sendable, Hashable {
    public var id: String
    public var machineId: String
    public var useId: String
    public var requesterId: String
    public var createdAt: Date
}
