import DeviceState
import Foundation
import Testing

@Suite("Store contract: the reconciler's steps")
struct ReconcilerStoreContract {
    static let policy = ReconcilerPolicy()

    static func minutes(_ m: Double) -> Date { testNow.addingTimeInterval(m * 60) }

    /// Starts a use at `testNow` and returns it.
    static func started(_ db: any TestDatabase, minutes: Int = 45) async throws -> (Use, Resident) {
        try await db.store.addTestMachine("W1", minutes: minutes)
        let (ada, _) = try await db.store.addTestResident()
        let use = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow).use
        return (use, ada)
    }

    @Test(
        "a 45-minute use: one ending_soon, one cycle_done, three reminders, then auto-release frees the machine and tells the owner",
        arguments: StoreBackend.underTest)
    func fullTimeline(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
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
            try await db.store.alertKinds(of: ada.id) == [
                .endingSoon, .cycleDone, .pickupReminder, .pickupReminder, .pickupReminder, .useClosed,
            ])
        let released = try #require(
            try await db.store.events(after: 0, limit: 1000).last { $0.payloadKind == "use_closed" }?.payloadAlert)
        let body = try #require(released["body"] as? String)
        #expect(body.contains("marked free") && body.contains("120 minutes ago"), "the owner is told why")
        let machine = try await db.store.machine("W1")
        #expect(machine.machine.state == .idle && machine.use == nil)
        #expect(try await db.store.openUses(of: ada.id).isEmpty)
        let boardEvent = try await db.store.events(after: 0, limit: 1000).last { $0.topic == .board }
        #expect(boardEvent?.kind == .machine)
    }

    @Test("a 5-minute use gives no ending_soon, but its cycle_done", arguments: StoreBackend.underTest)
    func shortCycle(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (_, ada) = try await Self.started(db, minutes: 5)
        for second in stride(from: 0.0, through: 6 * 60, by: 15) {
            _ = try await db.store.reconcileUses(at: testNow.addingTimeInterval(second), policy: Self.policy, dryRun: false)
        }
        #expect(try await db.store.alertKinds(of: ada.id) == [.cycleDone])
    }

    @Test(
        "after a two-hour gap one pass sends cycle_done, not the stale ending_soon; a reminder follows 10 min later",
        arguments: StoreBackend.underTest)
    func catchUpAfterDowntime(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (_, ada) = try await Self.started(db)
        _ = try await db.store.reconcileUses(at: Self.minutes(30), policy: Self.policy, dryRun: false)
        let summary = try await db.store.reconcileUses(at: Self.minutes(150), policy: Self.policy, dryRun: false)
        #expect(summary.cycleDone == 1 && summary.endingSoon == 0 && summary.pickupReminders == 0 && summary.autoReleased == 0)
        // A reminder follows the late cycle_done by 10 minutes: only the one due then, not those the gap skipped.
        let soon = try await db.store.reconcileUses(at: Self.minutes(159), policy: Self.policy, dryRun: false)
        #expect(soon.pickupReminders == 0)
        let next = try await db.store.reconcileUses(at: Self.minutes(160), policy: Self.policy, dryRun: false)
        #expect(next.pickupReminders == 1)
        #expect(try await db.store.alertKinds(of: ada.id) == [.cycleDone, .pickupReminder])
    }

    @Test("a use collected in time gets no cycle_done; a dry run changes nothing", arguments: StoreBackend.underTest)
    func collectedAndDryRun(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (use, ada) = try await Self.started(db)
        let head = try await db.store.headSeq()
        let dry = try await db.store.reconcileUses(at: Self.minutes(40), policy: Self.policy, dryRun: true)
        #expect(dry.endingSoon == 1)
        #expect(try await db.store.alertKinds(of: ada.id).isEmpty)
        #expect(try await db.store.headSeq() == head)
        _ = try await db.store.collect(useId: use.id, by: ada.id, at: Self.minutes(44))
        let after = try await db.store.reconcileUses(at: Self.minutes(46), policy: Self.policy, dryRun: false)
        #expect(after == ReconcileSummary())
    }

    @Test("passes running at once create each alert and release each use once", arguments: StoreBackend.underTest)
    func concurrentPasses(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
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
        let other = try db.another()

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
        for resident in residents { kinds += try await db.store.alertKinds(of: resident.id) }
        #expect(
            kinds.sorted { $0.rawValue < $1.rawValue } == [
                .cycleDone, .cycleDone, .cycleDone, .endingSoon, .pickupReminder, .pickupReminder, .useClosed, .useClosed,
            ])
    }

    @Test(
        "a scheduled notice is announced once when due, with an alert for each active resident, and removed once when expired",
        arguments: StoreBackend.underTest)
    func scheduledNotice(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        _ = try await db.store.revokeResident(bob.id, at: testNow)
        let publishAt = testNow.addingTimeInterval(3600)
        _ = try await db.store.postNotice(
            Notice.test(publishAt: publishAt, expiresAt: publishAt.addingTimeInterval(3600), push: true), at: testNow)
        #expect(try await db.store.noticeEventKinds().isEmpty)

        #expect(try await db.store.reconcileNotices(at: publishAt.addingTimeInterval(-1), dryRun: false) == (0, 0))
        let other = try db.another()
        async let first = db.store.reconcileNotices(at: publishAt, dryRun: false)
        async let second = other.reconcileNotices(at: publishAt, dryRun: false)
        let (a, b) = try await (first, second)
        #expect(a.published + b.published == 1)
        #expect(try await db.store.board(at: publishAt).notices.count == 1)
        let alerts = try await db.store.events(after: 0, limit: 1000).filter { $0.kind == .alert }
        #expect(alerts.map(\.topic) == [.resident(ada.id)], "revoked residents get none")
        #expect(alerts.first?.payloadAlert?["title"] as? String == AlertText.noticeAlertTitle(.outage).text())

        #expect(try await db.store.reconcileNotices(at: publishAt.addingTimeInterval(3600), dryRun: false) == (0, 1))
        #expect(try await db.store.reconcileNotices(at: publishAt.addingTimeInterval(7200), dryRun: false) == (0, 0))
        #expect(try await db.store.noticeEventKinds() == [.notice, .noticeRemoved])
    }

    @Test("a notice posted live is announced at once, not again by the reconciler", arguments: StoreBackend.underTest)
    func postedLive(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        _ = try await db.store.addTestResident()
        _ = try await db.store.postNotice(Notice.test(push: true), at: testNow)
        #expect(try await db.store.reconcileNotices(at: testNow.addingTimeInterval(60), dryRun: false) == (0, 0))
        #expect(try await db.store.noticeEventKinds() == [.notice])
    }

    @Test(
        "pruning drops events older than the cutoff but keeps the newest, so the head seq survives",
        arguments: StoreBackend.underTest)
    func pruneEvents(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        _ = try await db.store.apply(.markBroken(note: "a"), toMachine: "W1", at: testNow.addingTimeInterval(60))
        _ = try await db.store.apply(.markRepaired, toMachine: "W1", at: testNow.addingTimeInterval(120))
        let head = try await db.store.headSeq()

        #expect(try await db.store.prune(before: Self.cutoffs(events: testNow.addingTimeInterval(90))).events == 2)
        #expect(try await db.store.oldestRetainedSeq() == head)
        #expect(
            try await db.store.prune(before: Self.cutoffs(events: testNow.addingTimeInterval(3600))).events == 0,
            "the newest stays")
        #expect(try await db.store.headSeq() == head)
    }

    @Test(
        "pruning drops settled push messages older than the cutoff; pending ones stay whatever their age",
        arguments: StoreBackend.underTest)
    func prunePushes(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        try await db.store.addTestSubscription(for: ada.id)
        let draft = PushDraft(
            residentId: ada.id, payload: "{}", urgency: .normal, topic: nil, expiresAt: testNow.addingTimeInterval(60))
        let delivered = try #require(try await db.store.enqueuePush(draft, at: testNow).first)
        let pending = try #require(try await db.store.enqueuePush(draft, at: testNow).first)
        let claimed = try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 1, ids: [delivered.id], at: testNow)
        #expect(claimed.count == 1)
        try await db.store.settlePush(delivered.id, owner: "w", .delivered(status: 201), at: testNow)

        #expect(try await db.store.prune(before: Self.cutoffs(settledPushes: testNow)).settledPushes == 0)
        #expect(try await db.store.prune(before: Self.cutoffs(settledPushes: testNow.addingTimeInterval(1))).settledPushes == 1)
        #expect(try await db.store.pushOutbox(state: nil, residentId: nil, limit: 10).map(\.id) == [pending.id])
    }

    @Test("pruning forgets old idempotency keys: the same key later starts a new use", arguments: StoreBackend.underTest)
    func pruneIdempotencyKeys(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let request = StartUseRequest(machineId: "W1", residentId: ada.id, idempotencyKey: "k-1")
        let first = try await db.store.startUse(request, at: testNow)
        _ = try await db.store.collect(useId: first.use.id, by: ada.id, at: testNow.addingTimeInterval(60))

        #expect(try await db.store.prune(before: Self.cutoffs(idempotencyKeys: testNow)).idempotencyKeys == 0)
        #expect(try await db.store.startUse(request, at: testNow.addingTimeInterval(120)).replayed, "kept until the cutoff")
        #expect(
            try await db.store.prune(before: Self.cutoffs(idempotencyKeys: testNow.addingTimeInterval(1))).idempotencyKeys == 1)
        let again = try await db.store.startUse(request, at: testNow.addingTimeInterval(180))
        #expect(!again.replayed && again.use.id != first.use.id)
    }

    @Test(
        "pruning the dorm's history: closed uses, resolved reports, dead sessions and codes go; what is open stays",
        arguments: StoreBackend.underTest)
    func pruneHistory(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        try await db.store.addTestMachine("W2")
        let (ada, _) = try await db.store.addTestResident()
        let closed = try await db.store.startUse(StartUseRequest(machineId: "W1", residentId: ada.id), at: testNow)
        _ = try await db.store.collect(useId: closed.use.id, by: ada.id, at: testNow.addingTimeInterval(60))
        let open = try await db.store.startUse(StartUseRequest(machineId: "W2", residentId: ada.id), at: testNow)
        let resolved = try await db.store.reportProblem(machineId: "W1", by: ada.id, text: "leaks", at: testNow)
        _ = try await db.store.resolveReport(resolved.id, resolution: "fixed", at: testNow.addingTimeInterval(60))
        let unresolved = try await db.store.reportProblem(machineId: "W2", by: ada.id, text: "noisy", at: testNow)

        // After the enrollment code's hour ran out too.
        let later = testNow.addingTimeInterval(7200)
        #expect(try await db.store.prune(before: Self.cutoffs(history: testNow)).history == 0)
        // The closed use, the resolved report, the resident's session and enrollment code.
        #expect(try await db.store.prune(before: Self.cutoffs(history: later)).history == 4)
        #expect(try await db.store.reports(openOnly: false).map(\.id) == [unresolved.id])
        #expect(try await db.store.machine("W2").use?.id == open.use.id)
        do {
            _ = try await db.store.collect(useId: closed.use.id, by: ada.id, at: later)
            Issue.record("the pruned use is still there")
        } catch DeviceStateError.useNotFound {}
    }

    /// Cutoffs that prune only what the test names.
    static func cutoffs(
        events: Date = .distantPast, settledPushes: Date = .distantPast, idempotencyKeys: Date = .distantPast,
        alerts: Date = .distantPast, history: Date = .distantPast
    ) -> Retention.Cutoffs {
        Retention.Cutoffs(
            events: events, settledPushes: settledPushes, idempotencyKeys: idempotencyKeys, alerts: alerts, history: history)
    }
}
