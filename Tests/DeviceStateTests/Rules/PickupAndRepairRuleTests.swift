import DeviceState
import Foundation
import Testing

@Suite("Rule: pickup requests")
struct PickupRequestRuleTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let machine = Machine(
        id: "W1", kind: .washer, label: "Washer 1", location: "Hall A", cycleMinutes: 45, state: .inUse, updatedAt: now)

    static func status(endedMinutesAgo: Double) -> MachineStatus {
        let end = now.addingTimeInterval(-endedMinutesAgo * 60)
        return MachineStatus(
            machine: machine,
            use: Use(id: "u1", machineId: "W1", residentId: "ada", startedAt: end.addingTimeInterval(-2700), endsAt: end))
    }

    @Test("only a finished load, only someone else's")
    func whatCanBeRequested() throws {
        let running = Self.status(endedMinutesAgo: -5)
        #expect(throws: DeviceStateError.machineNotDone(running)) {
            try PickupRequestRule.use(toRequest: running, by: "bob", lastRequestAt: nil, at: Self.now)
        }
        let idle = MachineStatus(machine: Self.machine, use: nil)
        #expect(throws: DeviceStateError.machineNotDone(idle)) {
            try PickupRequestRule.use(toRequest: idle, by: "bob", lastRequestAt: nil, at: Self.now)
        }
        let done = Self.status(endedMinutesAgo: 1)
        #expect(throws: DeviceStateError.ownUse(done.use!)) {
            try PickupRequestRule.use(toRequest: done, by: "ada", lastRequestAt: nil, at: Self.now)
        }
        #expect(try PickupRequestRule.use(toRequest: done, by: "bob", lastRequestAt: nil, at: Self.now).id == "u1")
    }

    @Test("one request per requester and machine in 10 minutes, with the wait rounded up")
    func rateLimit() throws {
        let done = Self.status(endedMinutesAgo: 30)
        #expect(
            throws: DeviceStateError.rateLimited(retryAfterSeconds: 1, limit: .pickupRequest(machineId: "W1", minutes: 10))
        ) {
            try PickupRequestRule.use(
                toRequest: done, by: "bob", lastRequestAt: Self.now.addingTimeInterval(-599.5), at: Self.now)
        }
        _ = try PickupRequestRule.use(toRequest: done, by: "bob", lastRequestAt: Self.now.addingTimeInterval(-600), at: Self.now)
    }
}

@Suite("Rule: notices that go with a breakdown or a repair")
struct RepairNoticesTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let machine = Machine(id: "W1", kind: .washer, label: "Washer 1", location: "Hall A", cycleMinutes: 45, updatedAt: now)

    static func notice(_ id: String, _ severity: Notice.Severity, machines: [String], location: String? = nil) -> Notice {
        Notice(
            id: id, text: id, severity: severity, location: location, machineIds: machines, publishAt: now, createdAt: now)
    }

    static let live = [
        notice("alone", .outage, machines: ["W1"]), notice("pair", .outage, machines: ["W1", "W2"]),
        notice("other", .outage, machines: ["W2"]), notice("info", .info, machines: ["W1"]),
        notice("hall", .outage, machines: [], location: "Hall A"),
    ]

    @Test("a repair takes down the outage notices about that machine alone; a breakdown takes down none")
    func retracted() {
        let repair = RepairNotices(
            machine: Self.machine, brokenNote: nil, postingNotice: false, liveNotices: Self.live, at: Self.now)
        #expect(repair.toRetract.map(\.id) == ["alone"] && repair.toPost == nil)
        let breakdown = RepairNotices(
            machine: Self.machine, brokenNote: "drum", postingNotice: false, liveNotices: Self.live, at: Self.now)
        #expect(breakdown.toRetract.isEmpty && breakdown.toPost == nil)
    }

    @Test("with a notice: an outage with no end on a breakdown, 'back in service' for 12 hours on a repair")
    func posted() throws {
        let outage = try #require(
            RepairNotices(machine: Self.machine, brokenNote: "drum stuck", postingNotice: true, liveNotices: [], at: Self.now)
                .toPost)
        #expect(outage.text == "Washer 1 is out of order: drum stuck" && outage.severity == .outage)
        #expect(outage.machineIds == ["W1"] && outage.expiresAt == nil && outage.publishAt == Self.now && !outage.push)
        let back = try #require(
            RepairNotices(machine: Self.machine, brokenNote: nil, postingNotice: true, liveNotices: [], at: Self.now).toPost)
        #expect(back.text == "Washer 1 is back in service." && back.severity == .info)
        #expect(back.expiresAt == Self.now.addingTimeInterval(12 * 3600))
    }
}

@Suite("Rule: retention and the board's order")
struct RetentionAndOrderTests {
    @Test("each kind of row has its own cutoff: 24 h of events, 7 days of push history, 48 h of idempotency keys")
    func cutoffs() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let cutoffs = Retention().cutoffs(at: now)
        #expect(cutoffs.events == now - 24 * 3600)
        #expect(cutoffs.settledPushes == now - 7 * 24 * 3600)
        #expect(cutoffs.idempotencyKeys == now - 48 * 3600)
    }

    @Test("location first, then ids with their numbers compared as numbers")
    func order() {
        let now = Date(timeIntervalSince1970: 0)
        let machines = [("W10", "A"), ("D1", "B"), ("W2", "A"), ("D1a", "A"), ("w3", "A")].map {
            Machine(id: $0.0, kind: .washer, label: $0.0, location: $0.1, cycleMinutes: 45, updatedAt: now)
        }
        #expect(machines.sorted(by: Machine.isShownBefore).map(\.id) == ["D1a", "W2", "w3", "W10", "D1"])
    }
}
