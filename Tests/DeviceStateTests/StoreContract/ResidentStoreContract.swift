import DeviceState
import Foundation
import Testing

@Suite("Store contract: residents and sessions")
struct ResidentStoreContract {
    static let idle = TimeInterval(SessionLifetime.defaultIdleDays * 86400)

    @Test(
        "a session unused longer than the idle limit ends; using it keeps it alive, noted at most hourly",
        arguments: StoreBackend.underTest)
    func idleSessions(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, token) = try await db.store.addTestResident()
        let day: TimeInterval = 86400
        let limit = 30 * day
        #expect(try await db.store.resident(forToken: token, at: testNow + 29 * day, idleLimit: limit) == ada, "used on day 29")
        // Counted from that use, not from the start: still alive on day 58.
        #expect(try await db.store.resident(forToken: token, at: testNow + 58 * day, idleLimit: limit) == ada)
        // Half an hour later is not written (at most hourly), so the limit runs from day 58.
        #expect(try await db.store.resident(forToken: token, at: testNow + 58 * day + 1800, idleLimit: limit) == ada)
        #expect(try await db.store.resident(forToken: token, at: testNow + 88 * day - 60, idleLimit: limit) == ada)
        #expect(
            try await db.store.resident(forToken: token, at: testNow + 118 * day, idleLimit: limit) == nil, "idle from day 88")
        let (_, idle) = try await db.store.redeemEnrollmentCode(
            try await db.store.issueEnrollmentCode(residentId: ada.id, validFor: 60, at: testNow).code, at: testNow)
        #expect(try await db.store.resident(forToken: idle, at: testNow + 31 * day, idleLimit: limit) == nil, "never used again")
    }

    @Test("an enrollment code opens one session, once; expired and unknown codes open none", arguments: StoreBackend.underTest)
    func enrollment(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, code) = try await db.store.addResident(name: "Ada", room: "101", codeValidFor: 3600, at: testNow)

        let typedSloppily = code.code.lowercased().replacingOccurrences(of: "-", with: " ")
        let (resident, token) = try await db.store.redeemEnrollmentCode(typedSloppily, at: testNow)
        #expect(resident == ada)
        #expect(try await db.store.resident(forToken: token, at: testNow, idleLimit: Self.idle) == ada)
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

    @Test("two devices redeeming one code at once: one session", arguments: StoreBackend.underTest)
    func redeemRace(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (_, code) = try await db.store.addResident(name: "Ada", room: "101", codeValidFor: 3600, at: testNow)
        let other = try db.another()
        async let first = outcome { try await db.store.redeemEnrollmentCode(code.code, at: testNow) }
        async let second = outcome { try await other.redeemEnrollmentCode(code.code, at: testNow) }
        let outcomes = await [first, second]
        #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
    }

    @Test(
        "revoking a resident ends their sessions, removes their push subscriptions and tells their connections",
        arguments: StoreBackend.underTest)
    func revoke(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, token) = try await db.store.addTestResident()
        let (bob, _) = try await db.store.addTestResident("Bob", room: "102")
        _ = try await db.store.addTestSubscription(for: ada.id)
        _ = try await db.store.addTestSubscription(for: bob.id, "bobs-phone")
        let unused = try await db.store.issueEnrollmentCode(residentId: ada.id, validFor: 3600, at: testNow)
        let head = try await db.store.headSeq()

        let revoked = try await db.store.revokeResident(ada.id, at: testNow)

        #expect(revoked.revokedAt == testNow)
        #expect(try await db.store.resident(forToken: token, at: testNow, idleLimit: Self.idle) == nil)
        #expect(try await db.store.pushSubscriptions(of: ada.id).isEmpty)
        #expect(try await db.store.pushSubscriptions(of: bob.id).count == 1, "nobody else's")
        let events = try await db.store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.sessionRevoked] && events.first?.topic == .resident(ada.id))
        await #expect(throws: DeviceStateError.residentRevoked(id: ada.id)) {
            try await db.store.issueEnrollmentCode(residentId: ada.id, validFor: 60, at: testNow)
        }
        await #expect(throws: DeviceStateError.enrollmentCodeInvalid) {
            try await db.store.redeemEnrollmentCode(unused.code, at: testNow)
        }
    }

    @Test("logging out ends that session only", arguments: StoreBackend.underTest)
    func logout(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, phone) = try await db.store.addTestResident()
        let code = try await db.store.issueEnrollmentCode(residentId: ada.id, validFor: 60, at: testNow)
        let (_, laptop) = try await db.store.redeemEnrollmentCode(code.code, at: testNow)
        try await db.store.endSession(token: phone)
        #expect(try await db.store.resident(forToken: phone, at: testNow, idleLimit: Self.idle) == nil)
        #expect(try await db.store.resident(forToken: laptop, at: testNow, idleLimit: Self.idle) == ada)
    }

    @Test("names and rooms are trimmed and checked; residents list by room", arguments: StoreBackend.underTest)
    func residents(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        _ = try await db.store.addResident(name: "  Bob ", room: "202", codeValidFor: 60, at: testNow)
        _ = try await db.store.addResident(name: "Ada", room: "101", codeValidFor: 60, at: testNow)
        await #expect(throws: DeviceStateError.invalidInput(field: "room", reason: .length(1...20))) {
            try await db.store.addResident(name: "Cy", room: "   ", codeValidFor: 60, at: testNow)
        }
        #expect(try await db.store.residents().map(\.name) == ["Ada", "Bob"])
        await #expect(throws: DeviceStateError.residentNotFound(id: "nobody")) { try await db.store.resident("nobody") }
    }

    @Test("preferences are stored per resident and read back", arguments: StoreBackend.underTest)
    func preferences(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        let (ada, _) = try await db.store.addTestResident()
        #expect(try await db.store.preferences(of: ada.id) == Preferences())
        let chosen = Preferences(quietHours: try QuietHours(start: "22:00", end: "07:00"), mutedAlertKinds: [.endingSoon])
        _ = try await db.store.setPreferences(chosen, of: ada.id)
        #expect(try await db.another().preferences(of: ada.id) == chosen)
        await #expect(throws: DeviceStateError.residentNotFound(id: "nobody")) {
            try await db.store.setPreferences(chosen, of: "nobody")
        }
    }
}
