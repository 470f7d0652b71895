import DeviceState
import Foundation
import Testing

@Suite("The SQLite store")
struct SQLiteStoreTests {
    @Test("starting a use changes the machine and appends its event in the same commit")
    func startAppendsEvent() async throws {
        let db = try TemporaryDatabase()
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

    @Test("a refused change appends nothing and changes nothing")
    func refusedChangeLeavesNoEvent() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        _ = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)
        let head = try await db.store.headSeq()
        let before = try await db.store.machine("W1")

        await #expect(throws: DeviceStateError.machineBusy(before)) {
            try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: bob.id), at: testNow)
        }
        #expect(try await db.store.headSeq() == head)
        #expect(try await db.store.machine("W1") == before)
    }

    @Test("twenty residents racing for one machine: one wins, nineteen are told it is busy")
    func race() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        var residents: [Resident] = []
        for index in 0..<20 { residents.append(try await db.store.addTestResident("R\(index)", room: "\(index)").0) }

        let outcomes = await withTaskGroup(of: Result<StartedUse, any Error>.self) { group in
            for resident in residents {
                group.addTask {
                    do {
                        return .success(
                            try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: resident.id), at: testNow))
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

    @Test("the same idempotency key twice: one use, the same use back")
    func idempotency() async throws {
        let db = try TemporaryDatabase()
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

    @Test("collect frees the machine; a second collect is refused")
    func collect() async throws {
        let db = try TemporaryDatabase()
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
    }

    @Test("marking an in-use machine broken closes the use and alerts its owner once")
    func brokenAlertsOwner() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let use = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use
        let head = try await db.store.headSeq()

        let status = try await db.store.apply(.markBroken(note: "door seal leaking"), toMachine: "W1", at: testNow)

        #expect(status.machine.state == .broken && status.machine.stateNote == "door seal leaking" && status.use == nil)
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.machine, .alert])
        #expect(events.last?.topic == .resident(ada.id))
        let alert = try JSONDecoder().decode([String: AlertFields].self, from: events[1].payload)["alert"]
        #expect(alert?.kind == "use_closed" && alert?.useId == use.id)
        #expect(try await db.store.openUses(of: ada.id).isEmpty)

        let repaired = try await db.store.apply(.markRepaired, toMachine: "W1", at: testNow)
        #expect(repaired.machine.state == .idle && repaired.machine.stateNote == nil)
    }

    struct AlertFields: Decodable {
        var kind: String
        var useId: String?
    }

    @Test("an enrollment code opens one session, once; expired and unknown codes open none")
    func enrollment() async throws {
        let db = try TemporaryDatabase()
        let (ada, code) = try await db.store.addResident(name: "Ada", room: "101", codeValidFor: 3600, at: testNow)

        let typedSloppily = code.code.lowercased().replacingOccurrences(of: "-", with: " ")
        let (resident, token) = try await db.store.redeemEnrollmentCode(typedSloppily, at: testNow)
        #expect(resident == ada)
        #expect(try await db.store.resident(forToken: token) == ada)
        await #expect(throws: DeviceStateError.enrollmentCodeInvalid) {
            try await db.store.redeemEnrollmentCode(code.code, at: testNow)
        }

        let second = try await db.store.issueEnrollmentCode(residentId: ada.id, validFor: 60, at: testNow)
        await #expect(throws: DeviceStateError.enrollmentCodeInvalid) {
            try await db.store.redeemEnrollmentCode(second.code, at: testNow.addingTimeInterval(61))
        }
        await #expect(throws: DeviceStateError.enrollmentCodeInvalid) {
            try await db.store.redeemEnrollmentCode("AAAA-BBBB-CCCC", at: testNow)
        }
    }

    @Test("tokens are stored only as hashes")
    func tokensHashed() async throws {
        let db = try TemporaryDatabase()
        let (_, token) = try await db.store.addTestResident()
        let file =
            try Data(contentsOf: URL(fileURLWithPath: db.path))
            + ((try? Data(contentsOf: URL(fileURLWithPath: db.path + "-wal"))) ?? Data())
        #expect(file.range(of: Data(token.utf8)) == nil)
        #expect(file.range(of: Data(Secrets.sha256Hex(token).utf8)) != nil)
    }

    @Test("revoking a resident ends their sessions and tells their connections")
    func revoke() async throws {
        let db = try TemporaryDatabase()
        let (ada, token) = try await db.store.addTestResident()
        let head = try await db.store.headSeq()

        _ = try await db.store.revokeResident(ada.id, at: testNow)

        #expect(try await db.store.resident(forToken: token) == nil)
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.sessionRevoked] && events.first?.topic == .resident(ada.id))
        await #expect(throws: DeviceStateError.residentRevoked(id: ada.id)) {
            try await db.store.issueEnrollmentCode(residentId: ada.id, validFor: 60, at: testNow)
        }
    }

    @Test("pickup requests: only on a done machine, not one's own, once per 10 minutes per requester")
    func pickupRequests() async throws {
        let db = try TemporaryDatabase()
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

        await #expect(
            throws: DeviceStateError.rateLimited(
                retryAfterSeconds: 300, reason: "You already asked for W1 in the last 10 minutes.")
        ) {
            try await db.store.requestPickup(machineId: "W1", by: bob.id, at: done.addingTimeInterval(300))
        }
        _ = try await db.store.requestPickup(machineId: "W1", by: bob.id, at: done.addingTimeInterval(600))
    }

    @Test("a removed machine leaves the board and can come back under its id")
    func removeAndReadd() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        await #expect(throws: DeviceStateError.machineExists(id: "W1")) { try await db.store.addTestMachine("W1") }

        try await db.store.removeMachine("W1", at: testNow)
        #expect(try await db.store.board(at: testNow).machines.isEmpty)
        await #expect(throws: DeviceStateError.machineNotFound(id: "W1")) { try await db.store.machine("W1") }

        try await db.store.addTestMachine("W1", kind: .dryer)
        #expect(try await db.store.machine("W1").machine.kind == .dryer)
    }

    @Test("the board orders machines by location, then by number: W2 before W10")
    func boardOrder() async throws {
        let db = try TemporaryDatabase()
        for (id, location) in [("W10", "Hall A"), ("W2", "Hall A"), ("D1", "Hall B"), ("D1a", "Hall A")] {
            try await db.store.addTestMachine(id, location: location)
        }
        #expect(try await db.store.board(at: testNow).machines.map(\.machine.id) == ["D1a", "W2", "W10", "D1"])
    }

    @Test("a second store on the same file sees the first one's commits (another process, as the CLI)")
    func twoConnections() async throws {
        let db = try TemporaryDatabase()
        let other = try SQLiteStore(path: db.path)
        try await other.addTestMachine("W7")
        #expect(try await db.store.machine("W7").machine.id == "W7")
    }
}

@Suite("SQLite settings")
struct SQLiteSettingsTests {
    @Test("every connection runs WAL, synchronous=FULL, foreign keys on and a busy timeout")
    func pragmas() async throws {
        let db = try TemporaryDatabase()
        let settings = try await db.store.connectionSettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2, "FULL: an acknowledged commit survives a power cut")
        #expect(settings.foreignKeys)
        #expect(settings.busyTimeoutMilliseconds >= 1000)
    }
}

@Suite("Event log retention")
struct EventRetentionTests {
    @Test("pruning drops events older than the cutoff but keeps the newest, so the head seq survives")
    func prune() async throws {
        let db = try TemporaryDatabase()
        try await db.store.addTestMachine("W1")
        _ = try await db.store.apply(.markBroken(note: "a"), toMachine: "W1", at: testNow.addingTimeInterval(60))
        _ = try await db.store.apply(.markRepaired, toMachine: "W1", at: testNow.addingTimeInterval(120))
        let head = try await db.store.headSeq()

        #expect(try await db.store.pruneEvents(olderThan: testNow.addingTimeInterval(90)) == 2)
        #expect(try await db.store.oldestRetainedSeq() == head)
        #expect(try await db.store.pruneEvents(olderThan: testNow.addingTimeInterval(3600)) == 0, "the newest stays")
        #expect(try await db.store.headSeq() == head)
    }
}
