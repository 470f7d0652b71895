import DeviceState
import Foundation
import Testing

@Suite("Reconciler: cycle alerts, reminders, auto-release")
struct ReconcilerTests {
    static let policy = ReconcilerPolicy()

    static func minutes(_ m: Double) -> Date { testNow.addingTimeInterval(m * 60) }

    /// Starts a use at `testNow` and returns it.
    static func started(_ db: TemporaryDatabase, minutes: Int = 45) async throws -> (Use, Resident) {
        try await db.store.addTestMachine("W1", minutes: minutes)
        let (ada, _) = try await db.store.addTestResident()
        let use = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use
        return (use, ada)
    }

    static func alertKinds(_ db: TemporaryDatabase, of residentId: String) async throws -> [Alert.Kind] {
        try await db.store.events(after: 0, limit: 1000).compactMap { event -> Alert.Kind? in
            guard event.topic == .resident(residentId), event.kind == .alert else { return nil }
            return Alert.Kind(rawValue: event.payloadKind)
        }
    }

    @Test("a 45-minute use: one ending_soon, one cycle_done, three reminders, then auto-release frees the machine")
    func fullTimeline() async throws {
        let db = try TemporaryDatabase()
        let (_, ada) = try await Self.started(db)
        // A pass every minute from the start to 2 h 50 min later.
        var totals = ReconcileSummary()
        for minute in stride(from: 0.0, through: 170, by: 1) {
            let summary = try await db.store.reconcileUses(at: Self.minutes(minute), policy: Self.policy, dryRun: false)
            totals.endingSoon += summary.endingSoon
            totals.cycleDone += summary.cycleDone
            totals.pickupReminders += summary.pickupReminders
            totals.autoReleased += summary.autoReleased
            if summary.endingSoon == 1 { #expect(minute == 40) }
            if summary.cycleDone == 1 { #expect(minute == 45) }
            if summary.pickupReminders == 1 { #expect([55, 75, 95].contains(minute)) }
            if summary.autoReleased == 1 { #expect(minute == 165) }
        }
        #expect(totals.endingSoon == 1 && totals.cycleDone == 1 && totals.pickupReminders == 3 && totals.autoReleased == 1)
        #expect(
            try await Self.alertKinds(db, of: ada.id) == [
                .endingSoon, .cycleDone, .pickupReminder, .pickupReminder, .pickupReminder,
            ])
        let machine = try await db.store.machine("W1")
        #expect(machine.machine.state == .idle && machine.use == nil)
        #expect(try await db.store.openUses(of: ada.id).isEmpty)
        let boardEvent = try await db.store.events(after: 0, limit: 1000).last { $0.topic == .board }
        #expect(boardEvent?.kind == .machine)
    }

    @Test("a 5-minute use gives no ending_soon, but its cycle_done")
    func shortCycle() async throws {
        let db = try TemporaryDatabase()
        let (_, ada) = try await Self.started(db, minutes: 5)
        for second in stride(from: 0.0, through: 6 * 60, by: 15) {
            _ = try await db.store.reconcileUses(at: testNow.addingTimeInterval(second), policy: Self.policy, dryRun: false)
        }
        #expect(try await Self.alertKinds(db, of: ada.id) == [.cycleDone])
    }

    @Test("after a two-hour gap one pass sends cycle_done, not the stale ending_soon; a reminder follows 10 min later")
    func catchUpAfterDowntime() async throws {
        let db = try TemporaryDatabase()
        let (_, ada) = try await Self.started(db)
        _ = try await db.store.reconcileUses(at: Self.minutes(30), policy: Self.policy, dryRun: false)
        let summary = try await db.store.reconcileUses(at: Self.minutes(150), policy: Self.policy, dryRun: false)
        #expect(summary.cycleDone == 1 && summary.endingSoon == 0 && summary.pickupReminders == 0 && summary.autoReleased == 0)
        // A reminder follows the late cycle_done by 10 minutes: only the one due then, not those the gap skipped.
        let soon = try await db.store.reconcileUses(at: Self.minutes(159), policy: Self.policy, dryRun: false)
        #expect(soon.pickupReminders == 0)
        let next = try await db.store.reconcileUses(at: Self.minutes(160), policy: Self.policy, dryRun: false)
        #expect(next.pickupReminders == 1)
        #expect(try await Self.alertKinds(db, of: ada.id) == [.cycleDone, .pickupReminder])
    }

    @Test("a use collected in time gets no cycle_done; a dry run changes nothing")
    func collectedAndDryRun() async throws {
        let db = try TemporaryDatabase()
        let (use, ada) = try await Self.started(db)
        let dry = try await db.store.reconcileUses(at: Self.minutes(40), policy: Self.policy, dryRun: true)
        #expect(dry.endingSoon == 1)
        #expect(try await Self.alertKinds(db, of: ada.id).isEmpty)
        _ = try await db.store.collect(useId: use.id, by: ada.id, at: Self.minutes(44))
        let after = try await db.store.reconcileUses(at: Self.minutes(46), policy: Self.policy, dryRun: false)
        #expect(after == ReconcileSummary())
    }

    @Test("passes running at once create each alert and release each use once")
    func concurrentPasses() async throws {
        let db = try TemporaryDatabase()
        var residents: [Resident] = []
        // Minutes since each 45-minute use started, at the moment of the passes.
        let elapsed: [Double] = [2, 42, 50, 70, 170, 180]
        for (index, minutes) in elapsed.enumerated() {
            try await db.store.addTestMachine("M\(index)")
            let (resident, _) = try await db.store.addTestResident("R\(index)", room: "\(index)")
            residents.append(resident)
            _ = try await db.store.startUse(
                StartUseRequest(machineId: "M\(index)", residentId: resident.id), at: testNow.addingTimeInterval(-minutes * 60))
        }
        let other = try SQLiteStore(path: db.path)

        func passesAtOnce(at now: Date) async throws -> ReconcileSummary {
            try await withThrowingTaskGroup(of: ReconcileSummary.self) { group in
                for store in [db.store, other, db.store, other] {
                    group.addTask { try await store.reconcileUses(at: now, policy: Self.policy, dryRun: false) }
                }
                return try await group.reduce(into: ReconcileSummary()) { total, one in
                    total.endingSoon += one.endingSoon
                    total.cycleDone += one.cycleDone
                    total.pickupReminders += one.pickupReminders
                    total.autoReleased += one.autoReleased
                }
            }
        }

        let first = try await passesAtOnce(at: testNow)
        #expect(first.endingSoon == 1 && first.cycleDone == 2 && first.pickupReminders == 0 && first.autoReleased == 2)
        // Ten minutes on: the ending one is done, and the two done ones are due a reminder.
        let second = try await passesAtOnce(at: Self.minutes(10))
        #expect(second.endingSoon == 0 && second.cycleDone == 1 && second.pickupReminders == 2 && second.autoReleased == 0)
        var kinds: [Alert.Kind] = []
        for resident in residents { kinds += try await Self.alertKinds(db, of: resident.id) }
        #expect(
            kinds.sorted { $0.rawValue < $1.rawValue } == [
                .cycleDone, .cycleDone, .cycleDone, .endingSoon, .pickupReminder, .pickupReminder,
            ])
    }
}

extension Event {
    /// The `kind` of an alert event's payload.
    var payloadKind: String {
        (try? JSONSerialization.jsonObject(with: payload) as? [String: Any])
            .flatMap { $0["alert"] as? [String: Any] }?["kind"] as? String ?? ""
    }
}
