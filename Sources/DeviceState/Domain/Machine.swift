import Foundation

/// A shared machine in a laundry room: a washer, a dryer or anything else residents take turns on.
public struct Machine: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case washer, dryer, other
    }

    /// `idle` → `in_use` → `idle`; any → `broken` → `idle`. See ``MachineTransition``.
    public enum State: String, Codable, Sendable, CaseIterable {
        case idle
        case inUse = "in_use"
        case broken
    }

    public var id: String
    public var kind: Kind
    public var label: String
    public var location: String
    /// The default cycle length offered when a resident starts the machine.
    public var cycleMinutes: Int
    public var state: State
    public var stateNote: String?
    public var updatedAt: Date
    /// While set and not past, the machine is kept for the waiter told it was free (``Waitlist``).
    public var hold: MachineHold?
    /// How many residents have open problem reports on it, once ``CrowdReports`` confirmed
    /// them; nil while it is not confirmed.
    public var reportedBy: Int?

    public init(
        id: String, kind: Kind, label: String, location: String, cycleMinutes: Int,
        state: State = .idle, stateNote: String? = nil, updatedAt: Date, hold: MachineHold? = nil, reportedBy: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.label = label
        self.location = location
        self.cycleMinutes = cycleMinutes
        self.state = state
        self.stateNote = stateNote
        self.updatedAt = updatedAt
        self.hold = hold
        self.reportedBy = reportedBy
    }

    /// Machine ids are short codes printed on the machine: `[A-Za-z0-9-]{1,16}`, e.g. `W3`.
    public static func isValidID(_ id: some StringProtocol) -> Bool {
        (1...16).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-")
            }
    }

    /// Cycle lengths a resident or admin may choose.
    public static let cycleMinutesRange = 1...240
}

/// A machine as residents see it: the machine and, while it is in use, the open use.
///
/// This is the `machine` object of the REST API and of the WebSocket protocol.
public struct MachineStatus: Codable, Sendable, Hashable {
    public var machine: Machine
    public var use: Use?

    public init(machine: Machine, use: Use?) {
        self.machine = machine
        self.use = use
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, label, location, cycleMinutes, state, stateNote, updatedAt, use
    }

    public init(from decoder: any Decoder) throws {
        self.machine = try Machine(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.use = try container.decodeIfPresent(Use.self, forKey: .use)
    }

    public func encode(to encoder: any Encoder) throws {
        try machine.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(use, forKey: .use)
        try container.encode(machine.stateNote, forKey: .stateNote)
    }
}
