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

    public init(
        id: String, machineId: String, residentId: String, startedAt: Date, endsAt: Date,
        closedAt: Date? = nil, closeReason: CloseReason? = nil
    ) {
        self.id = id
        self.machineId = machineId
        self.residentId = residentId
        self.startedAt = startedAt
        self.endsAt = endsAt
        self.closedAt = closedAt
        self.closeReason = closeReason
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
