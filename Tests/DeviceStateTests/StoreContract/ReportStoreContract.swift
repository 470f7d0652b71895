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
}
