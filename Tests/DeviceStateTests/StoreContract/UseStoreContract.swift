import DeviceState
import Foundation
import Testing

@Suite("Store contract: uses")
struct UseStoreContract {
    @Test("starting a use changes the machine and appends its event in the same commit", arguments: StoreBackend.underTest)
    func startAppendsEvent(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let head = try await db.store.headSeq()

        let started = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)

        #expect(started.use.endsAt == testNow.addingTimeInterval(45 * 60))
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.machine])
        #expect(events.first?.topic == .board)
        let payload = try JSONSerialization.jsonObject(with: events[0].payload) as? [String: Any]
        let machine = payload?["machine"] as? [String: Any]
        #expect(machine?["state"] as? String == "in_use")
        #expect((machine?["use"] as? [String: Any])?["id"] as? String == started.use.id)
        let board = try await db.store.board(at: testNow)
        #expect(board.seq == events[0].seq)
        #expect(board.machines.first?.use == started.use)
    }

    @Test("a refused change appends nothing and changes nothing", arguments: StoreBackend.underTest)
    func refusedChangeLeavesNoEvent(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        _ = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)
        let head = try await db.store.headSeq()
        let before = try await db.store.machine("W1")

        await #expect(throws: DeviceStateError.machineBusy(before)) {
            try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: bob.id), at: testNow)
        }
        await #expect(throws: DeviceStateError.invalidInput(field: "minutes", reason: .cycleMinutes(1...240))) {
            try await db.store.startUse(StartUseRequest(machineId: "W2", residentId: bob.id, minutes: 241), at: testNow)
        }
        #expect(try await db.store.headSeq() == head)
        #expect(try await db.store.machine("W1") == before)
    }

    @Test("twenty residents racing for one machine: one wins, nineteen are told it is busy", arguments: StoreBackend.underTest)
    func race(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        var residents: [Resident] = []
        for index in 0..<20 { residents.append(try await db.store.addTestResident("R\(index)", room: "\(index)").0) }
        let stores = [db.store, try db.another()]

        let outcomes = await withTaskGroup(of: Result<StartedUse, any Error>.self) { group in
            for (index, resident) in residents.enumerated() {
                let store = stores[index % stores.count]
                group.addTask {
                    do {
                        return .success(
                            try await store.startUse(StartUseRequest(machineId: "W1", residentId: resident.id), at: testNow))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }

        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let busy = outcomes.filter { if case .failure(DeviceStateError.machineBusy) = $0 { true } else { false } }
        #expect(busy.count == 19)
        let status = try await db.store.machine("W1")
        #expect(status.use?.residentId == winners.first?.use.residentId)
    }

    @Test("the same idempotency key twice: one use, the same use back", arguments: StoreBackend.underTest)
    func idempotency(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        try await db.store.addTestMachine("W2")
        let (ada, _) = try await db.store.addTestResident()
        let request = StartUseRequest(machineId: "W1", residentId: ada.id, minutes: 30, idempotencyKey: "k-1")

        let first = try await db.store.startUse(request, at: testNow)
        let second = try await db.store.startUse(request, at: testNow.addingTimeInterval(5))

        #expect(!first.replayed && second.replayed)
        #expect(first.use == second.use)
        #expect(try await db.store.openUses(of: ada.id).count == 1)
        var other = request
        other.machineId = "W2"
        await #expect(throws: DeviceStateError.idempotencyKeyReused(key: "k-1")) {
            try await db.store.startUse(other, at: testNow)
        }
    }

    @Test("collect frees the machine; a second collect is refused; only the owner collects", arguments: StoreBackend.underTest)
    func collect(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        let use = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use
        let later = testNow.addingTimeInterval(50 * 60)

        await #expect(throws: DeviceStateError.notUseOwner(useId: use.id)) {
            try await db.store.collect(useId: use.id, by: bob.id, at: later)
        }
        let collected = try await db.store.collect(useId: use.id, by: ada.id, at: later)

        #expect(collected.closedAt == later && collected.closeReason == .collected)
        #expect(try await db.store.machine("W1").machine.state == .idle)
        await #expect(throws: DeviceStateError.useAlreadyClosed(collected)) {
            try await db.store.collect(useId: use.id, by: ada.id, at: later)
        }
        await #expect(throws: DeviceStateError.useNotFound(id: "nope")) {
            try await db.store.collect(useId: "nope", by: ada.id, at: later)
        }
    }

    @Test("cancel within the window frees the machine; after it, the owner collects instead", arguments: StoreBackend.underTest)
    func cancel(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        try await db.store.addTestMachine("W2")
        let (ada, _) = try await db.store.addTestResident()
        let first = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use
        let cancelled = try await db.store.cancel(useId: first.id, by: ada.id, at: testNow.addingTimeInterval(60))
        #expect(cancelled.closeReason == .cancelled)

        let second = try await db.store.startUse(StartUseRequest(machineId: "W2", residentId: ada.id), at: testNow).use
        await #expect(throws: DeviceStateError.cancelWindowPassed(second, windowMinutes: 10)) {
            try await db.store.cancel(useId: second.id, by: ada.id, at: testNow.addingTimeInterval(11 * 60))
        }
        #expect(try await db.store.openUses(of: ada.id) == [second])
    }

    @Test(
        "pickup requests: only on a done machine, not one's own, once per 10 minutes per requester",
        arguments: StoreBackend.underTest)
    func pickupRequests(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1", minutes: 30)
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        let use = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use

        let running = try await db.store.machine("W1")
        await #expect(throws: DeviceStateError.machineNotDone(running)) {
            try await db.store.requestPickup(machineId: "W1", by: bob.id, at: testNow.addingTimeInterval(60))
        }
        let done = use.endsAt.addingTimeInterval(60)
        await #expect(throws: DeviceStateError.ownUse(use)) {
            try await db.store.requestPickup(machineId: "W1", by: ada.id, at: done)
        }
        let head = try await db.store.headSeq()
        _ = try await db.store.requestPickup(machineId: "W1", by: bob.id, at: done)
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.alert] && events.first?.topic == .resident(ada.id))
        #expect(events.first?.payloadKind == "pickup_request")

        let tooSoon = DeviceStateError.rateLimited(retryAfterSeconds: 300, limit: .pickupRequest(machineId: "W1", minutes: 10))
        #expect(tooSoon.description == "You already asked for W1 in the last 10 minutes. Try again in 300 s.")
        await #expect(throws: tooSoon) {
            try await db.store.requestPickup(machineId: "W1", by: bob.id, at: done.addingTimeInterval(300))
        }
        _ = try await db.store.requestPickup(machineId: "W1", by: bob.id, at: done.addingTimeInterval(600))
    }
}
