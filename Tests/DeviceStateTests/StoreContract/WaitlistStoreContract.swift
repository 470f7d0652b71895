import DeviceState
import Foundation
import Testing

@Suite("Store contract: the waitlist")
struct WaitlistStoreContract {
    static func minutes(_ m: Double) -> Date { testNow.addingTimeInterval(m * 60) }

    /// A dorm with washers W1 and W2 in Hall A, both running for Cy, and three residents.
    static func busyDorm(_ backend: StoreBackend) async throws -> (TestDatabase, cy: Resident, ada: Resident, bob: Resident) {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        try await db.store.addTestMachine("W2")
        let (cy, _) = try await db.store.addTestResident("Cy", room: "103")
        let (ada, _) = try await db.store.addTestResident("Ada", room: "101")
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        for machine in ["W1", "W2"] {
            _ = try await db.store.startUse(StartUseRequest(machineId: machine, residentId: cy.id), at: testNow)
        }
        return (db, cy, ada, bob)
    }

    static func collect(_ machine: String, in db: TestDatabase, by resident: Resident, at now: Date) async throws {
        let use = try #require(try await db.store.machine(machine).use)
        _ = try await db.store.collect(useId: use.id, by: resident.id, at: now)
    }

    /// The `machine_free` alerts in the log, as (resident, machine).
    static func machineFreeAlerts(_ db: TestDatabase) async throws -> [String] {
        try await db.store.events(after: 0, limit: 1000).compactMap { event in
            guard event.payloadKind == "machine_free", let alert = event.payloadAlert else { return nil }
            return "\(alert["residentId"] as? String ?? "?") \(alert["machineId"] as? String ?? "?")"
        }
    }

    @Test(
        "two waiters: places 1 and 2; each freed washer tells the next one, who leaves the list",
        arguments: StoreBackend.underTest)
    func order(_ backend: StoreBackend) async throws {
        let (db, cy, ada, bob) = try await Self.busyDorm(backend)
        let first = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: ada.id, at: Self.minutes(1))
        let second = try await db.store.joinWaitlist(kind: .washer, location: "Hall A", residentId: bob.id, at: Self.minutes(2))
        #expect(first.position == 1 && second.position == 2)
        #expect(first.expiresAt == Self.minutes(1).addingTimeInterval(Waitlist.entryLifetime))

        try await Self.collect("W2", in: db, by: cy, at: Self.minutes(50))
        #expect(try await Self.machineFreeAlerts(db) == ["\(ada.id) W2"])
        #expect(try await db.store.waitlist(of: ada.id, at: Self.minutes(50)).isEmpty)
        #expect(try await db.store.waitlist(of: bob.id, at: Self.minutes(50)).map(\.position) == [1], "Bob moves up")
        #expect(try await db.store.machine("W2").machine.hold == nil, "no hold unless configured")

        try await Self.collect("W1", in: db, by: cy, at: Self.minutes(51))
        #expect(try await Self.machineFreeAlerts(db) == ["\(ada.id) W2", "\(bob.id) W1"])
        #expect(try await db.store.waitlist(of: bob.id, at: Self.minutes(51)).isEmpty)
    }

    @Test(
        "with a hold, the freed machine is kept for the waiter: others are refused, the waiter starts it",
        arguments: StoreBackend.underTest)
    func hold(_ backend: StoreBackend) async throws {
        let (db, cy, ada, bob) = try await Self.busyDorm(backend)
        try await db.store.setSetting(.waitlistHoldMinutes, to: "5")
        _ = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: ada.id, at: Self.minutes(1))

        try await Self.collect("W1", in: db, by: cy, at: Self.minutes(50))
        let held = try await db.store.machine("W1")
        #expect(held.machine.state == .idle)
        #expect(held.machine.hold == MachineHold(residentId: ada.id, until: Self.minutes(55)))
        #expect(try await db.store.board(at: Self.minutes(50)).machines.first { $0.machine.id == "W1" }?.machine.hold != nil)
        await #expect(throws: DeviceStateError.machineHeld(held)) {
            try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: bob.id), at: Self.minutes(51))
        }
        let started = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: Self.minutes(52))
        #expect(started.use.residentId == ada.id)
        #expect(try await db.store.machine("W1").machine.hold == nil)
    }

    @Test(
        "a hold that runs out passes the machine to the next waiter at the reconciler's pass, then to anyone",
        arguments: StoreBackend.underTest)
    func holdRunsOut(_ backend: StoreBackend) async throws {
        let (db, cy, ada, bob) = try await Self.busyDorm(backend)
        try await db.store.setSetting(.waitlistHoldMinutes, to: "5")
        _ = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: ada.id, at: Self.minutes(1))
        _ = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: bob.id, at: Self.minutes(2))
        try await Self.collect("W1", in: db, by: cy, at: Self.minutes(50))

        let early = try await db.store.reconcileUses(at: Self.minutes(54), policy: ReconcilerPolicy(), dryRun: false)
        #expect(early.holdsEnded == 0)
        let passed = try await db.store.reconcileUses(at: Self.minutes(55), policy: ReconcilerPolicy(), dryRun: false)
        #expect(passed.holdsEnded == 1)
        #expect(try await db.store.machine("W1").machine.hold == MachineHold(residentId: bob.id, until: Self.minutes(60)))
        #expect(try await Self.machineFreeAlerts(db) == ["\(ada.id) W1", "\(bob.id) W1"])

        _ = try await db.store.reconcileUses(at: Self.minutes(60), policy: ReconcilerPolicy(), dryRun: false)
        #expect(try await db.store.machine("W1").machine.hold == nil, "nobody left waiting: free for anyone")
        let anyone = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: cy.id), at: Self.minutes(61))
        #expect(anyone.use.machineId == "W1")
    }

    @Test(
        "one entry per resident and kind; a location limits the machines; expired entries are skipped",
        arguments: StoreBackend.underTest)
    func rules(_ backend: StoreBackend) async throws {
        let (db, cy, ada, bob) = try await Self.busyDorm(backend)
        try await db.store.addTestMachine("W9", location: "Hall B")
        let entry = try await db.store.joinWaitlist(kind: .washer, location: "Hall B", residentId: ada.id, at: Self.minutes(1))
        await #expect(throws: DeviceStateError.self) {
            try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: ada.id, at: Self.minutes(2))
        }
        await #expect(throws: DeviceStateError.invalidInput(field: "kind", reason: .noSuchMachines)) {
            try await db.store.joinWaitlist(kind: .dryer, location: nil, residentId: ada.id, at: Self.minutes(2))
        }
        await #expect(throws: DeviceStateError.invalidInput(field: "location", reason: .noSuchMachines)) {
            try await db.store.joinWaitlist(kind: .washer, location: "Attic", residentId: bob.id, at: Self.minutes(2))
        }
        // Bob's entry has expired by the time W1 frees up; Ada waits only for Hall B.
        _ = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: bob.id, at: Self.minutes(2))
        try await Self.collect("W1", in: db, by: cy, at: Self.minutes(2).addingTimeInterval(Waitlist.entryLifetime))
        #expect(try await Self.machineFreeAlerts(db).isEmpty)

        await #expect(throws: DeviceStateError.waitlistEntryNotFound(id: entry.id)) {
            try await db.store.leaveWaitlist(entry.id, residentId: bob.id)
        }
        try await db.store.leaveWaitlist(entry.id, residentId: ada.id)
        #expect(try await db.store.waitlist(of: ada.id, at: Self.minutes(3)).isEmpty)
    }
}
