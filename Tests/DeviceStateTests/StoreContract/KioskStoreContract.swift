import DeviceState
import Foundation
import Testing

@Suite("Store contract: kiosks")
struct KioskStoreContract {
    @Test(
        "a kiosk's token finds it until it is revoked; revoking tells its live board; the token is stored hashed",
        arguments: StoreBackend.underTest)
    func lifecycle(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (screen, token) = try await db.store.addKiosk(name: " Basement screen ", location: " ", at: testNow)
        #expect(screen.name == "Basement screen" && screen.location == nil, "trimmed; a blank location is every location")
        #expect(token.hasPrefix(Kiosk.tokenPrefix))
        let (annex, _) = try await db.store.addKiosk(name: "Annex", location: "Hall B", at: testNow + 1)
        #expect(try await db.store.kiosk(forToken: token) == screen)
        #expect(try await db.store.kiosk(forToken: token + "x") == nil)
        #expect(try await db.store.kiosks().map(\.id) == [screen.id, annex.id])

        let head = try await db.store.headSeq()
        let revoked = try await db.store.revokeKiosk(screen.id, at: testNow + 2)
        #expect(revoked.revokedAt == testNow + 2)
        #expect(try await db.store.kiosk(forToken: token) == nil)
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.sessionRevoked] && events.first?.topic == .resident(screen.subscriberId))
        #expect(try await db.store.revokeKiosk(screen.id, at: testNow + 3).revokedAt == testNow + 2, "once")
        await #expect(throws: DeviceStateError.kioskNotFound(id: "nope")) {
            try await db.store.revokeKiosk("nope", at: testNow)
        }
        await #expect(throws: DeviceStateError.self) {
            try await db.store.addKiosk(name: "  ", location: nil, at: testNow)
        }
        let snapshot = try await db.store.exportDorm()
        #expect(snapshot.kiosks.count == 2 && !snapshot.kiosks.contains { $0.tokenHash.contains(token) })
    }
}
