import DeviceState
import Foundation
import Testing

@Suite("Store contract: presence across instances")
struct PresenceStoreContract {
    @Test("a resident is present while another live instance reports an open app", arguments: StoreBackend.underTest)
    func presence(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (a, b) = (db.store, try db.another())
        try await a.reportPresence(instance: "A", residents: ["ada", "bob"], at: testNow)
        try await b.reportPresence(instance: "B", residents: ["bob"], at: testNow)

        let since = testNow.addingTimeInterval(-15)
        #expect(
            try await b.presentResidents(among: ["ada", "bob", "cy"], elsewhereThan: "B", reportedSince: since) == ["ada", "bob"])
        #expect(try await a.presentResidents(among: ["ada", "bob", "cy"], elsewhereThan: "A", reportedSince: since) == ["bob"])
        #expect(try await a.presentResidents(among: [], elsewhereThan: "A", reportedSince: since).isEmpty)

        try await a.reportPresence(instance: "A", residents: ["bob"], at: testNow.addingTimeInterval(5))
        #expect(try await b.presentResidents(among: ["ada"], elsewhereThan: "B", reportedSince: since).isEmpty, "Ada left")
        #expect(
            try await a.presentResidents(among: ["bob"], elsewhereThan: "A", reportedSince: testNow.addingTimeInterval(1))
                .isEmpty, "B went silent: it may have died")
        try await a.withdrawPresence(instance: "A")
        #expect(try await b.presentResidents(among: ["bob"], elsewhereThan: "B", reportedSince: since).isEmpty)
    }
}
