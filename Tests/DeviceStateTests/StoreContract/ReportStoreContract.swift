import DeviceState
import Foundation
import Testing

@Suite("Store contract: problem reports")
struct ReportStoreContract {
    @Test("a report is trimmed, listed newest first, resolved once", arguments: StoreBackend.underTest)
    func reports(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident()
        let first = try await db.store.reportProblem(machineId: "W1", by: ada.id, text: "  leaks  ", at: testNow)
        let second = try await db.store.reportProblem(
            machineId: "W1", by: ada.id, text: "smells", at: testNow.addingTimeInterval(60))
        #expect(first.text == "leaks")
        await #expect(throws: DeviceStateError.invalidInput(field: "text", reason: .reportLength(1...1000))) {
            try await db.store.reportProblem(machineId: "W1", by: ada.id, text: " ", at: testNow)
        }
        await #expect(throws: DeviceStateError.machineNotFound(id: "W9")) {
            try await db.store.reportProblem(machineId: "W9", by: ada.id, text: "where?", at: testNow)
        }

        let resolved = try await db.store.resolveReport(first.id, resolution: "new seal", at: testNow.addingTimeInterval(120))
        #expect(resolved.resolvedAt == testNow.addingTimeInterval(120) && resolved.resolution == "new seal")
        await #expect(throws: DeviceStateError.reportResolved(id: first.id)) {
            try await db.store.resolveReport(first.id, resolution: nil, at: testNow)
        }
        await #expect(throws: DeviceStateError.reportNotFound(id: "nope")) {
            try await db.store.resolveReport("nope", resolution: nil, at: testNow)
        }
        #expect(try await db.store.reports(openOnly: false).map(\.id) == [second.id, first.id])
        #expect(try await db.store.reports(openOnly: true).map(\.id) == [second.id])
    }

    static func hours(_ h: Double) -> Date { testNow.addingTimeInterval(h * 3600) }

    /// The alerts of `kind` in the log, as "resident: title".
    static func alerts(_ kind: Alert.Kind, in db: TestDatabase) async throws -> [String] {
        try await db.store.events(after: 0, limit: 1000).compactMap { event in
            guard event.payloadKind == kind.rawValue, let alert = event.payloadAlert else { return nil }
            return "\(alert["residentId"] as? String ?? "?"): \(alert["title"] as? String ?? "?")"
        }
    }

    @Test(
        "two residents within the window confirm a machine: the board counts its reporters, active staff are alerted once",
        arguments: StoreBackend.underTest)
    func crowdConfirms(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.addTestMachine("W1")
        let (ada, _) = try await db.store.addTestResident("Ada", room: "101")
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        let (cy, _) = try await db.store.addTestResident("Cy", room: "103")
        let (dee, _) = try await db.store.addTestResident("Dee", room: "104")
        let (sam, _) = try await db.store.addResident(name: "Sam", room: "001", staff: true, codeValidFor: 60, at: testNow)
        let (rex, _) = try await db.store.addResident(name: "Rex", room: "002", staff: true, codeValidFor: 60, at: testNow)
        _ = try await db.store.revokeResident(rex.id, at: testNow)

        _ = try await db.store.reportProblem(machineId: "W1", by: ada.id, text: "leaks", at: Self.hours(0))
        _ = try await db.store.reportProblem(machineId: "W1", by: ada.id, text: "still leaks", at: Self.hours(0.1))
        #expect(try await db.store.machine("W1").machine.reportedBy == nil, "one resident twice is one resident")
        _ = try await db.store.reportProblem(machineId: "W1", by: bob.id, text: "wet floor", at: Self.hours(3.5))
        #expect(try await db.store.machine("W1").machine.reportedBy == nil, "Ada's reports are over 3 h older than Bob's")
        #expect(try await Self.alerts(.reportConfirmed, in: db).isEmpty)

        _ = try await db.store.reportProblem(machineId: "W1", by: cy.id, text: "water everywhere", at: Self.hours(4))
        #expect(try await db.store.machine("W1").machine.reportedBy == 3, "counts every open reporter once confirmed")
        #expect(try await Self.alerts(.reportConfirmed, in: db) == ["\(sam.id): W1 reported by 3 residents"])
        let boardEvent = try #require(try await db.store.events(after: 0, limit: 1000).last { $0.kind == .machine })
        #expect(String(decoding: boardEvent.payload, as: UTF8.self).contains("\"reportedBy\":3"), "the boards hear of it")

        let dees = try await db.store.reportProblem(machineId: "W1", by: dee.id, text: "same", at: Self.hours(4.5))
        #expect(try await db.store.machine("W1").machine.reportedBy == 4)
        #expect(try await Self.alerts(.reportConfirmed, in: db).count == 1, "staff are told once")
        _ = try await db.store.resolveReport(dees.id, resolution: "duplicate", at: Self.hours(5))
        #expect(try await db.store.machine("W1").machine.reportedBy == 3)
    }

    @Test(
        "a repair resolves the reports and tells each reporter and each other waiter for the kind, once; the first waiter gets the machine",
        arguments: StoreBackend.underTest)
    func repairTellsReportersAndWaiters(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        try await db.store.setSetting(.reportConfirmations, to: "1")
        try await db.store.addTestMachine("W1")
        try await db.store.addTestMachine("W2")
        try await db.store.addTestMachine("D1", kind: .dryer)
        try await db.store.addTestMachine("W5", location: "Hall B")
        let (ada, _) = try await db.store.addTestResident("Ada", room: "101")
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        let (cy, _) = try await db.store.addTestResident("Cy", room: "103")
        let (dee, _) = try await db.store.addTestResident("Dee", room: "104")
        let (eve, _) = try await db.store.addTestResident("Eve", room: "105")
        _ = try await db.store.markMachine("W1", broken: "drum stuck", postingNotice: false, at: testNow)
        _ = try await db.store.startUse(StartUseRequest(machineId: "W2", residentId: ada.id), at: testNow)
        _ = try await db.store.reportProblem(machineId: "W1", by: ada.id, text: "drum stuck", at: Self.hours(0.1))
        #expect(try await db.store.machine("W1").machine.reportedBy == 1, "one confirmation configured")
        _ = try await db.store.reportProblem(machineId: "W1", by: bob.id, text: "smells burnt", at: Self.hours(0.2))
        _ = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: cy.id, at: Self.hours(0.3))
        _ = try await db.store.joinWaitlist(kind: .washer, location: nil, residentId: bob.id, at: Self.hours(0.4))
        _ = try await db.store.joinWaitlist(kind: .washer, location: "Hall B", residentId: dee.id, at: Self.hours(0.5))
        _ = try await db.store.joinWaitlist(kind: .dryer, location: nil, residentId: eve.id, at: Self.hours(0.5))
        _ = try await db.store.markMachine("D1", broken: "no heat", postingNotice: false, at: Self.hours(0.5))

        let repaired = try await db.store.markMachine("W1", broken: nil, postingNotice: false, at: Self.hours(1))
        #expect(repaired.machine.machine.reportedBy == nil)
        #expect(try await db.store.reports(openOnly: true).isEmpty)
        #expect(
            try await db.store.reports(openOnly: false).allSatisfy { $0.resolution == ProblemReport.repairedResolution })
        #expect(
            try await Self.alerts(.machineRepaired, in: db).sorted()
                == ["\(ada.id): W1 is working again", "\(bob.id): W1 is working again"].sorted(),
            "Cy got the machine itself; Dee waits in another hall; Eve waits for a dryer; Bob is told once")
        #expect(try await WaitlistStoreContract.machineFreeAlerts(db) == ["\(cy.id) W1"])
        let bodies = try await db.store.events(after: 0, limit: 1000).compactMap { event in
            event.payloadKind == "machine_repaired" ? event.payloadAlert?["body"] as? String : nil
        }
        #expect(bodies.allSatisfy { $0.hasSuffix("Thank you for reporting it.") })

        _ = try await db.store.markMachine("W1", broken: "again", postingNotice: false, at: Self.hours(2))
        _ = try await db.store.markMachine("W1", broken: nil, postingNotice: false, at: Self.hours(3))
        #expect(try await Self.alerts(.machineRepaired, in: db).count == 2, "no reports were open, Bob was next")
        #expect(try await WaitlistStoreContract.machineFreeAlerts(db) == ["\(cy.id) W1", "\(bob.id) W1"])
    }

    @Test("staff: added as staff, or made staff and back", arguments: StoreBackend.underTest)
    func staff(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        #expect(ada.staff == false)
        #expect(try await db.store.setStaff(ada.id, true).staff)
        #expect(try await db.store.resident(ada.id).staff)
        #expect(try await db.store.residents().map(\.staff) == [true])
        #expect(try await db.store.setStaff(ada.id, false).staff == false)
        await #expect(throws: DeviceStateError.residentNotFound(id: "nobody")) {
            try await db.store.setStaff("nobody", true)
        }
    }
}
