import Foundation

/// The board at a glance, one entry per kind of machine in each location: "Washers 2 of 5
/// free · Dryers next free in 12 min". The `summary` of `GET /api/board`; the PWA computes
/// the same from the machines it holds (`summarise` in `board.mjs`), so keep the two alike.
public struct KindSummary: Codable, Sendable, Hashable {
    public var kind: Machine.Kind
    public var location: String
    /// Every machine of the kind there, broken ones included.
    public var total: Int
    /// Idle and not kept for a waiter: a resident can start it now.
    public var free: Int
    /// In use, its cycle over, the laundry still inside.
    public var awaitingPickup: Int
    /// When none is free: the earliest end among the cycles still running; otherwise nil.
    public var nextFreeAt: Date?

    public init(kind: Machine.Kind, location: String, total: Int, free: Int, awaitingPickup: Int, nextFreeAt: Date?) {
        self.kind = kind
        self.location = location
        self.total = total
        self.free = free
        self.awaitingPickup = awaitingPickup
        self.nextFreeAt = nextFreeAt
    }

    /// One entry per kind and location that has a machine, by location and then by kind
    /// (washers, dryers, others).
    public static func summaries(of machines: [MachineStatus], at now: Date) -> [KindSummary] {
        struct Group: Hashable {
            var location: String
            var kind: Machine.Kind
        }
        let groups = Dictionary(grouping: machines) { Group(location: $0.machine.location, kind: $0.machine.kind) }
        let kinds = Machine.Kind.allCases
        return groups.keys
            .sorted { a, b in
                a.location != b.location
                    ? a.location < b.location : kinds.firstIndex(of: a.kind)! < kinds.firstIndex(of: b.kind)!
            }
            .map { group in summary(kind: group.kind, location: group.location, of: groups[group]!, at: now) }
    }

    static func summary(kind: Machine.Kind, location: String, of machines: [MachineStatus], at now: Date) -> KindSummary {
        let free = machines.count { $0.machine.state == .idle && !($0.machine.hold.map { $0.until > now } ?? false) }
        let ends = machines.compactMap { $0.machine.state == .inUse ? $0.use?.endsAt : nil }
        return KindSummary(
            kind: kind, location: location, total: machines.count, free: free,
            awaitingPickup: ends.count { $0 <= now },
            nextFreeAt: free > 0 ? nil : ends.filter { $0 > now }.min())
    }

    enum CodingKeys: String, CodingKey {
        case kind, location, total, free, awaitingPickup, nextFreeAt
    }

    /// `nextFreeAt` is written as null rather than left out, as the API documents.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(location, forKey: .location)
        try container.encode(total, forKey: .total)
        try container.encode(free, forKey: .free)
        try container.encode(awaitingPickup, forKey: .awaitingPickup)
        try container.encode(nextFreeAt, forKey: .nextFreeAt)
    }
}
