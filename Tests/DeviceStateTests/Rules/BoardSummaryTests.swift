import DeviceState
import Foundation
import Testing

@Suite("Rule: the board at a glance")
struct BoardSummaryTests {
    /// 2026-11-22T14:30:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_357_800)

    static func machine(
        _ id: String, _ kind: Machine.Kind, in location: String = "Basement", _ state: Machine.State = .idle,
        endsIn minutes: Double? = nil
    ) -> MachineStatus {
        let use = minutes.map {
            Use(
                id: "u-\(id)", machineId: id, residentId: "ada", startedAt: now.addingTimeInterval(-3600),
                endsAt: now.addingTimeInterval($0 * 60))
        }
        return MachineStatus(
            machine: Machine(
                id: id, kind: kind, label: id, location: location, cycleMinutes: 45, state: use == nil ? state : .inUse,
                updatedAt: now),
            use: use)
    }

    @Test("free machines are counted, and no next-free time is given while one is free")
    func someFree() throws {
        let summary = KindSummary.summaries(
            of: [
                Self.machine("W1", .washer), Self.machine("W2", .washer, endsIn: 12), Self.machine("W3", .washer, .broken),
                Self.machine("W4", .washer),
            ], at: Self.now)
        #expect(
            summary == [KindSummary(kind: .washer, location: "Basement", total: 4, free: 2, awaitingPickup: 0, nextFreeAt: nil)])
    }

    @Test("when none is free, the next free time is the earliest end still to come; finished cycles await pickup")
    func noneFree() throws {
        let summary = KindSummary.summaries(
            of: [
                Self.machine("D1", .dryer, endsIn: 30), Self.machine("D2", .dryer, endsIn: -5),
                Self.machine("D3", .dryer, endsIn: 12), Self.machine("D4", .dryer, .broken),
            ], at: Self.now)
        #expect(
            summary == [
                KindSummary(
                    kind: .dryer, location: "Basement", total: 4, free: 0, awaitingPickup: 1,
                    nextFreeAt: Self.now.addingTimeInterval(12 * 60))
            ])
    }

    @Test("a kind whose machines are all broken or awaiting pickup has no next free time")
    func nothingRunning() throws {
        let summary = KindSummary.summaries(
            of: [Self.machine("X1", .other, .broken), Self.machine("X2", .other, endsIn: 0)], at: Self.now)
        #expect(summary.map(\.nextFreeAt) == [nil])
        #expect(summary.map(\.awaitingPickup) == [1])
    }

    @Test("one entry per kind and location, by location and then washers, dryers, others")
    func grouping() throws {
        let summary = KindSummary.summaries(
            of: [
                Self.machine("X1", .other, in: "Annex"), Self.machine("D1", .dryer, in: "Annex"),
                Self.machine("W1", .washer, in: "Basement"), Self.machine("W2", .washer, in: "Annex"),
                Self.machine("D2", .dryer, in: "Annex"),
            ], at: Self.now)
        #expect(
            summary.map { "\($0.location) \($0.kind.rawValue) \($0.total)" } == [
                "Annex washer 1", "Annex dryer 2", "Annex other 1", "Basement washer 1",
            ])
    }

    struct Fixture: Decodable {
        var now: Date
        var machines: [MachineStatus]
        var summary: [KindSummary]
    }

    @Test("fixtures/board-summary.json: the server counts as the PWA does (its node test reads the same file)")
    func sharedFixture() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/board-summary.json")
        let fixture = try DomainJSON.decoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(KindSummary.summaries(of: fixture.machines, at: fixture.now) == fixture.summary)
    }

    @Test("nextFreeAt is written as null, not left out")
    func explicitNull() throws {
        let json = try DomainJSON.encoder().encode(KindSummary.summaries(of: [Self.machine("W1", .washer)], at: Self.now))
        #expect(String(decoding: json, as: UTF8.self).contains("\"nextFreeAt\":null"))
    }
}
