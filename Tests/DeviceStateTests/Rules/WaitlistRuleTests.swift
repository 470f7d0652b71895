import DeviceState
import Foundation
import Testing

@Suite("Rule: who is told when a machine is free")
struct WaitlistRuleTests {
    /// 2026-11-22T14:30:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_357_800)

    static func entry(
        _ id: String, _ resident: String, _ kind: Machine.Kind = .washer, in location: String? = nil, minutesAgo: Double
    )
        -> WaitlistEntry
    {
        let created = now.addingTimeInterval(-minutesAgo * 60)
        return WaitlistEntry(
            id: id, residentId: resident, kind: kind, location: location, createdAt: created,
            expiresAt: created.addingTimeInterval(Waitlist.entryLifetime))
    }

    static func washer(in location: String) -> Machine {
        Machine(id: "W1", kind: .washer, label: "Washer 1", location: location, cycleMinutes: 45, updatedAt: now)
    }

    @Test("the earliest live entry that fits the machine's kind and location is served")
    func firstWaiter() {
        let entries = [
            Self.entry("e1", "ada", in: "Hall B", minutesAgo: 30), Self.entry("e2", "bob", .dryer, minutesAgo: 25),
            Self.entry("e3", "cy", minutesAgo: 20), Self.entry("e4", "dan", in: "Hall A", minutesAgo: 10),
            Self.entry("e0", "eve", minutesAgo: 5 * 60),
        ]
        #expect(Waitlist.firstWaiter(for: Self.washer(in: "Hall A"), among: entries, at: Self.now)?.id == "e3")
        #expect(Waitlist.firstWaiter(for: Self.washer(in: "Hall B"), among: entries, at: Self.now)?.id == "e1")
        #expect(Waitlist.firstWaiter(for: Self.washer(in: "Hall C"), among: Array(entries.prefix(2)), at: Self.now) == nil)
    }

    @Test("a place counts the earlier entries of the kind that could take the same machine")
    func places() {
        let entries = [
            Self.entry("e1", "ada", in: "Hall B", minutesAgo: 30), Self.entry("e2", "bob", minutesAgo: 20),
            Self.entry("e3", "cy", in: "Hall A", minutesAgo: 10), Self.entry("e4", "cy", .dryer, minutesAgo: 5),
        ]
        #expect(
            Waitlist.places(of: "cy", in: entries, at: Self.now).map { "\($0.kind.rawValue) \($0.position)" } == [
                "washer 2", "dryer 1",
            ])
        #expect(Waitlist.places(of: "bob", in: entries, at: Self.now).map(\.position) == [2])
    }

    @Test("one entry per resident and kind; a blank location means anywhere; holds only when configured")
    func joinAndHold() throws {
        let existing = [Self.entry("e1", "ada", minutesAgo: 10)]
        #expect(throws: DeviceStateError.alreadyWaiting(existing[0])) {
            try Waitlist.join(kind: .washer, location: nil, residentId: "ada", existing: existing, at: Self.now)
        }
        let dryer = try Waitlist.join(kind: .dryer, location: "  ", residentId: "ada", existing: existing, at: Self.now)
        #expect(dryer.location == nil && dryer.expiresAt == Self.now.addingTimeInterval(Waitlist.entryLifetime))
        #expect(Waitlist.hold(for: dryer, minutes: 0, at: Self.now) == nil)
        #expect(Waitlist.hold(for: dryer, minutes: 5, at: Self.now) == MachineHold(residentId: "ada", until: Self.now + 300))
    }
}
