import DeviceState
import Foundation
import Testing

@Suite("Store contract: statistics")
struct StatsStoreContract {
    /// Midnight UTC the day after `testNow`; `hour(h)` is `h` hours later.
    static let midnight = Date(timeIntervalSince1970: 1_790_035_200)
    static func hour(_ hours: Double) -> Date { midnight.addingTimeInterval(hours * 3600) }

    /// Two days of a small room, read at 20:00 on the second day from midnight of the first.
    static func room(_ backend: StoreBackend) async throws -> any TestDatabase {
        let db = try await backend.open()
        let store = db.store
        for id in ["W1", "W2", "D1", "X1"] { try await store.addTestMachine(id) }
        let (ada, _) = try await store.addTestResident()
        func use(_ machine: String, from start: Double, to end: Double?) async throws {
            _ = try await store.startUse(StartUseRequest(machineId: machine, residentId: ada.id), at: hour(start))
            if let end { _ = try await store.apply(.collect(residentId: ada.id), toMachine: machine, at: hour(end)) }
        }
        try await use("D1", from: -5, to: -4)  // before the period
        _ = try await store.markMachine("D1", broken: "drum", postingNotice: false, at: hour(-2))
        _ = try await store.markMachine("D1", broken: nil, postingNotice: false, at: hour(2))
        try await use("W1", from: 18, to: 18 + 50.0 / 60)
        try await use("W1", from: 20, to: 20.75)
        try await use("W2", from: 33, to: 33.75)
        _ = try await store.markMachine("W2", broken: "pump", postingNotice: false, at: hour(34))
        _ = try await store.markMachine("W2", broken: "pump and belt", postingNotice: false, at: hour(35))
        try await use("W1", from: 42, to: nil)
        try await store.removeMachine("X1", at: hour(1))
        return db
    }

    @Test(
        "uses per machine, day and hour; broken and in-use time clipped to the period; removed idle machines left out",
        arguments: StoreBackend.underTest)
    func counts(_ backend: StoreBackend) async throws {
        let db = try await Self.room(backend)
        let stats = try await db.store.stats(since: Self.midnight, at: Self.hour(44), timeZone: .gmt)

        let lines = Dictionary(uniqueKeysWithValues: stats.machines.map { ($0.id, $0) })
        #expect(Set(lines.keys) == ["W1", "W2", "D1"])
        #expect(lines["W1"].map { [$0.uses, $0.inUseMinutes, $0.outages, $0.brokenMinutes] } == [3, 50 + 45 + 120, 0, 0])
        #expect(lines["W2"].map { [$0.uses, $0.inUseMinutes, $0.outages, $0.brokenMinutes] } == [1, 45, 1, 600])
        #expect(lines["D1"].map { [$0.uses, $0.inUseMinutes, $0.outages, $0.brokenMinutes] } == [0, 0, 1, 120])
        #expect(stats.usesPerDay.map(\.day) == ["2026-09-22", "2026-09-23"])
        #expect(stats.usesPerDay.map(\.uses) == [2, 2])
        #expect(stats.usesByHour.reduce(0, +) == 4 && stats.usesByHour[18] == 2)
        #expect(stats.busiestHours == [18, 9, 20])
    }

    @Test("days and hours follow the dorm's time zone", arguments: StoreBackend.underTest)
    func timeZone(_ backend: StoreBackend) async throws {
        let db = try await Self.room(backend)
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let stats = try await db.store.stats(since: Self.midnight, at: Self.hour(44), timeZone: tokyo)
        // 18:00 and 20:00 UTC are 03:00 and 05:00 the next day in Tokyo; 09:00 UTC is 18:00.
        #expect(stats.usesByHour[3] == 2 && stats.usesByHour[18] == 1)
        #expect(stats.usesPerDay.map(\.day) == ["2026-09-22", "2026-09-23", "2026-09-24"])
        #expect(stats.usesPerDay.map(\.uses) == [0, 3, 1])
    }

    @Test("push outcomes count notifications queued in the period only", arguments: StoreBackend.underTest)
    func push(_ backend: StoreBackend) async throws {
        let db = try await Self.room(backend)
        let (ben, _) = try await db.store.addTestResident("Ben")
        try await db.store.addTestSubscription(for: ben.id)
        let draft = PushDraft(
            residentId: ben.id, payload: "{}", urgency: .normal, topic: nil, expiresAt: Self.hour(48))
        _ = try await db.store.enqueuePush(draft, at: Self.hour(-1))
        let inside = try #require(try await db.store.enqueuePush(draft, at: Self.hour(10)).first)
        _ = try await db.store.enqueuePush(draft, at: Self.hour(11))
        _ = try await db.store.claimDuePushes(owner: "w", leaseFor: 30, limit: 1, ids: [inside.id], at: Self.hour(10))
        try await db.store.settlePush(inside.id, owner: "w", .delivered(status: 201), at: Self.hour(10))

        let stats = try await db.store.stats(since: Self.midnight, at: Self.hour(44), timeZone: .gmt)
        #expect(stats.push == ["delivered": 1, "pending": 1])
    }
}
