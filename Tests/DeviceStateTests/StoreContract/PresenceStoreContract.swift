import DeviceState
import Foundation
import Testing

@Suite("Store contract: presence across instances")
struct PresenceStoreContract {
    @Test("a resident is present while another live instance reports an open app", arguments: StoreBackend.underTest)
    func presence(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (a, b) = (db.store, try db.another())
        try await a.reportPresence(instance: "A", residents: ["ada", "bob"])
        try await b.reportPresence(instance: "B", residents: ["bob"])

        #expect(
            try await b.presentResidents(among: ["ada", "bob", "cy"], elsewhereThan: "B", heardWithin: 15) == ["ada", "bob"])
        #expect(try await a.presentResidents(among: ["ada", "bob", "cy"], elsewhereThan: "A", heardWithin: 15) == ["bob"])
        #expect(try await a.presentResidents(among: [], elsewhereThan: "A", heardWithin: 15).isEmpty)

        try await a.reportPresence(instance: "A", residents: ["bob"])
        #expect(try await b.presentResidents(among: ["ada"], elsewhereThan: "B", heardWithin: 15).isEmpty, "Ada left")
        #expect(
            try await a.presentResidents(among: ["bob"], elsewhereThan: "A", heardWithin: 0).isEmpty,
            "an instance not heard from within the time given may have died")
        try await a.withdrawPresence(instance: "A")
        #expect(try await b.presentResidents(among: ["bob"], elsewhereThan: "B", heardWithin: 15).isEmpty)
    }
}
