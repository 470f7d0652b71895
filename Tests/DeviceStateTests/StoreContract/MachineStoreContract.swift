import DeviceState
import Foundation
import Testing

@Suite("Store contract: machines and the board")
struct MachineStoreContract {
    @Test("marking an in-use machine broken closes the use and alerts its owner once", arguments: StoreBackend.underTest)
    func brokenAlertsOwner(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let use = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use
        let head = try await db.store.headSeq()

        let status = try await db.store.apply(.markBroken(note: "door seal leaking"), toMachine: "W1", at: testNow)

        #expect(status.machine.state == .broken && status.machine.stateNote == "door seal leaking" && status.use == nil)
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.machine, .alert])
        #expect(events.last?.topic == .resident(ada.id))
        #expect(events.last?.payloadKind == "use_closed" && events.last?.payloadAlert?["useId"] as? String == use.id)
        #expect(try await db.store.openUses(of: ada.id).isEmpty)

        let repaired = try await db.store.apply(.markRepaired, toMachine: "W1", at: testNow)
        #expect(repaired.machine.state == .idle && repaired.machine.stateNote == nil)
    }

    @Test("a removed machine leaves the board and can come back under its id", arguments: StoreBackend.underTest)
    func removeAndReadd(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        await #expect(throws: DeviceStateError.machineExists(id: "W1")) { try await db.store.addTestMachine("W1") }

        try await db.store.removeMachine("W1", at: testNow)
        #expect(try await db.store.board(at: testNow).machines.isEmpty)
        await #expect(throws: DeviceStateError.machineNotFound(id: "W1")) { try await db.store.machine("W1") }
        #expect(try await db.store.machines(includingRemoved: true).map(\.machine.id) == ["W1"])

        try await db.store.addTestMachine("W1", kind: .dryer)
        #expect(try await db.store.machine("W1").machine.kind == .dryer)
    }

    @Test("a machine with an open use cannot be removed; an invalid machine is refused", arguments: StoreBackend.underTest)
    func refusals(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        _ = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)
        let busy = try await db.store.machine("W1")
        await #expect(throws: DeviceStateError.machineBusy(busy)) { try await db.store.removeMachine("W1", at: testNow) }
        await #expect(throws: DeviceStateError.invalidInput(field: "minutes", reason: .cycleMinutes(1...240))) {
            try await db.store.addTestMachine("W2", minutes: 0)
        }
        await #expect(throws: DeviceStateError.invalidInput(field: "id", reason: .machineIdFormat)) {
            try await db.store.addTestMachine("W 2")
        }
        #expect(try await db.store.machines(includingRemoved: true).count == 1)
    }

    @Test("the board orders machines by location, then by number: W2 before W10", arguments: StoreBackend.underTest)
    func boardOrder(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        for (id, location) in [("W10", "Hall A"), ("W2", "Hall A"), ("D1", "Hall B"), ("D1a", "Hall A")] {
            try await db.store.addTestMachine(id, location: location)
        }
        #expect(try await db.store.board(at: testNow).machines.map(\.machine.id) == ["D1a", "W2", "W10", "D1"])
    }

    @Test(
        "a second store on the same database sees the first one's commits (another process, as the CLI)",
        arguments: StoreBackend.underTest)
    func twoConnections(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let other = try db.another()
        try await other.addTestMachine("W7")
        #expect(try await db.store.machine("W7").machine.id == "W7")
    }

    @Test(
        "broken with a notice posts an outage notice; repaired takes down outage notices about that machine alone",
        arguments: StoreBackend.underTest)
    func repairNotices(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        try await db.store.addTestMachine("W2")
        let both = try await db.store.postNotice(Notice.test(machineIds: ["W1", "W2"]), at: testNow)

        let broken = try await db.store.markMachine("W1", broken: "drum stuck", postingNotice: true, at: testNow)
        let outage = try #require(broken.notice)
        #expect(outage.severity == .outage && outage.machineIds == ["W1"] && outage.expiresAt == nil)
        #expect(outage.text == Message.outageNotice(machine: "Machine W1", note: "drum stuck").text())
        #expect(broken.machine.machine.state == .broken && broken.retractedNotices.isEmpty)

        let later = testNow.addingTimeInterval(60)
        let repaired = try await db.store.markMachine("W1", broken: nil, postingNotice: true, at: later)
        #expect(repaired.retractedNotices == [outage.id])
        let back = try #require(repaired.notice)
        #expect(back.severity == .info && back.expiresAt == later.addingTimeInterval(12 * 3600))
        #expect(try await db.store.board(at: later).notices.map(\.id).sorted() == [back.id, both.id].sorted())
        let idle = try await db.store.machine("W1")
        await #expect(throws: DeviceStateError.machineNotBroken(idle)) {
            try await db.store.markMachine("W1", broken: nil, postingNotice: false, at: later)
        }
    }
}
