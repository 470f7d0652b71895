import DeviceState
import Foundation
import GRDB
import Notify

/// A year of a 300-resident dorm on one SQLite file, to see what the retention leaves:
/// every use started, alerted, pushed and collected as the reconciler and the push worker
/// would, pruned once a day with the default retention. Prints the file's size and the rows
/// of each table at the end of each quarter.
///
///     swift run -c release YearSim [PATH] [RESIDENTS] [DAYS]
///
/// Not a test: it takes minutes. The figures are in BENCHMARKS.md.
@main
struct YearSim {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let path = arguments.first ?? "/dev/shm/washboard-year.sqlite"
        let residentCount = arguments.dropFirst().first.flatMap(Int.init) ?? 300
        let days = arguments.dropFirst(2).first.flatMap(Int.init) ?? 365
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

        let store = try SQLiteStore(path: path)
        var clock = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
        let machines = (1...12).flatMap { index in
            [
                Machine(
                    id: "W\(index)", kind: .washer, label: "Washer \(index)", location: "Hall \(index % 3)",
                    cycleMinutes: 45, updatedAt: clock),
                Machine(
                    id: "D\(index)", kind: .dryer, label: "Dryer \(index)", location: "Hall \(index % 3)",
                    cycleMinutes: 60, updatedAt: clock),
            ]
        }
        for machine in machines { _ = try await store.addMachine(machine) }
        var residents: [String] = []
        for index in 0..<residentCount {
            let (_, code) = try await store.addResident(
                name: "Resident \(index)", room: "\(100 + index)", codeValidFor: 86400, at: clock)
            let (resident, _) = try await store.redeemEnrollmentCode(code.code, at: clock)
            residents.append(resident.id)
            // One phone each, a laptop for every third.
            for device in index % 3 == 0 ? ["phone", "laptop"] : ["phone"] {
                _ = try await store.addPushSubscription(
                    residentId: resident.id, endpoint: "https://fcm.googleapis.com/fcm/send/\(resident.id)-\(device)",
                    p256dh: String(repeating: "B", count: 87), auth: String(repeating: "A", count: 22), at: clock)
            }
        }

        var random = SplitMix(seed: 2026)
        let retention = Retention()
        let policy = ReconcilerPolicy()
        let step: TimeInterval = 15 * 60
        var collectAt: [String: (use: String, resident: String, at: Date)] = [:]  // by machine
        var started = 0
        let began = ContinuousClock.now
        print("day  file MiB  uses  alerts  outbox  events  keys  reports  outages  notices  sessions")
        for day in 1...days {
            // Two loads a week per resident, between 07:00 and 23:00, each collected 0 to 40 min after its end.
            let loads = (0..<residentCount * 2 / 7).map { _ in
                (
                    at: clock.addingTimeInterval(7 * 3600 + Double(random.next(below: 16 * 3600))),
                    resident: residents[random.next(below: residents.count)]
                )
            }.sorted { $0.at < $1.at }
            var next = 0
            for _ in 0..<Int(86400 / step) {
                clock = clock.addingTimeInterval(step)
                while next < loads.count, loads[next].at <= clock {
                    let load = loads[next]
                    next += 1
                    guard let machine = machines.shuffled(using: &random).first(where: { collectAt[$0.id] == nil }) else {
                        continue
                    }
                    let request = StartUseRequest(
                        machineId: machine.id, residentId: load.resident, idempotencyKey: "k-\(started)")
                    guard let use = try? await store.startUse(request, at: clock).use else { continue }
                    started += 1
                    let pickup = Double(machine.cycleMinutes * 60 + random.next(below: 40 * 60))
                    collectAt[machine.id] = (use.id, load.resident, clock.addingTimeInterval(pickup))
                }
                for (machineId, open) in collectAt where open.at <= clock {
                    _ = try? await store.collect(useId: open.use, by: open.resident, at: clock)
                    collectAt[machineId] = nil
                }
                _ = try await store.reconcileNotices(at: clock, dryRun: false)
                // Loads are collected within 40 minutes of their end: none is auto-released.
                _ = try await store.reconcileUses(at: clock, policy: policy, dryRun: false)
                // Nobody has the app open: every alert goes to push, and every push is delivered.
                try await store.routeAlerts(
                    createdBefore: clock, ids: nil, timeZone: TimeZone(identifier: "Asia/Seoul")!, at: clock,
                    drafting: AlertPush.draft)
                let claimed = try await store.claimDuePushes(owner: "sim", leaseFor: 30, limit: 10_000, ids: nil, at: clock)
                _ = try await store.settlePushes(
                    claimed.map { PushOutcome(id: $0.entry.id, settlement: .delivered(status: 201), at: clock) }, owner: "sim")
            }
            // A problem report every few days, resolved two days later; a repair notice a week.
            if day % 3 == 0 {
                _ = try await store.reportProblem(
                    machineId: machines[random.next(below: machines.count)].id, by: residents[0],
                    text: "Leaves the clothes soaking wet.", at: clock)
            }
            for report in try await store.reports(openOnly: true) where report.createdAt < clock.addingTimeInterval(-2 * 86400) {
                _ = try await store.resolveReport(report.id, resolution: "Fixed by the technician.", at: clock)
            }
            if day % 7 == 0 {
                _ = try await store.postNotice(
                    Notice(
                        id: "N\(day)", text: "The dryers in Hall 1 are serviced on Thursday morning.", severity: .info,
                        publishAt: clock, expiresAt: clock.addingTimeInterval(3 * 86400), createdAt: clock),
                    at: clock)
            }
            _ = try await store.prune(before: retention.cutoffs(at: clock))
            if day % 91 == 0 || day == days { try await report(day: day, path: path) }
        }
        print("\(started) uses in \(ContinuousClock.now - began)")
    }

    /// Counted on a connection of its own, as `sqlite3` would, after the WAL is folded into the file.
    static func report(day: Int, path: String) async throws {
        let db = try DatabaseQueue(path: path)
        try await db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let counts = try await db.read { db in
            try [
                "uses", "alerts", "push_outbox", "events", "idempotency_keys", "reports", "machine_outages", "notices",
                "sessions",
            ]
            .map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? 0 }
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let megabytes = String(format: "%.1f", Double(bytes) / 1_048_576)
        print(([String(day), megabytes] + counts.map(String.init)).joined(separator: "  "))
    }
}

/// A small seeded generator, so that every run simulates the same year.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
