import DeviceState
import Foundation
import HummingbirdWSClient
import Testing

@testable import UsageApp

@Suite("washboard reconcile")
struct ReconcileProcessTests {
    struct Output: Decodable {
        var dryRun: Bool
        var uses: ReconcileSummary
    }

    @Test("two reconcile processes started together: every alert once, every release once")
    func twoProcesses() async throws {
        let folder = try TestFolder()
        let db = folder.databasePath
        let store = try SQLiteStore(path: db)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        // Minutes since each 45-minute use started: nothing, ending soon, done, done, released.
        for (index, minutes) in [5.0, 42, 50, 80, 170].enumerated() {
            _ = try await store.addMachine(
                Machine(
                    id: "M\(index)", kind: .washer, label: "Washer \(index)", location: "Hall A", cycleMinutes: 45, updatedAt: at)
            )
            let (_, code) = try await store.addResident(name: "R\(index)", room: "\(index)", codeValidFor: 3600, at: at)
            let (resident, _) = try await store.redeemEnrollmentCode(code.code, at: at)
            _ = try await store.startUse(
                StartUseRequest(machineId: "M\(index)", residentId: resident.id), at: at.addingTimeInterval(-minutes * 60))
        }
        let now = at.iso8601

        let dry = try await washboard("reconcile", "--now", now, "--dry-run", "--json", "--db", db)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try JSONDecoder().decode(Output.self, from: Data(dry.stdout.utf8)).uses.cycleDone == 2)

        async let first = washboard("reconcile", "--now", now, "--json", "--db", db)
        async let second = washboard("reconcile", "--now", now, "--json", "--db", db)
        let results = try await [first, second]
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let summaries = try results.map { try JSONDecoder().decode(Output.self, from: Data($0.stdout.utf8)).uses }
        #expect(summaries.reduce(0) { $0 + $1.endingSoon } == 1)
        #expect(summaries.reduce(0) { $0 + $1.cycleDone } == 2)
        #expect(summaries.reduce(0) { $0 + $1.autoReleased } == 1)
        let alerts = try await store.events(after: 0, limit: 1000).filter { $0.kind == .alert }
        #expect(alerts.count == 4, "the dry run created nothing, the two passes four alerts in all (one tells of the release)")
        #expect(try await store.machine("M4").machine.state == .idle)

        let text = try await washboard("reconcile", "--now", now, "--db", db)
        #expect(text.stdout.hasPrefix("reconcile at \(now): 0 ending_soon, 0 cycle_done"), "\(text.stdout)")
    }

    @Test("an auto-release by cron frees the machine on an open board")
    func autoReleaseReachesBoards() async throws {
        let dorm = try await TestDorm()
        let (ada, token) = try await dorm.resident()
        let started = Date.currentSecond.addingTimeInterval(-3 * 3600)
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada), at: started)
        let server = try await ServerProcess(databasePath: dorm.folder.databasePath, extraArguments: ["--no-reconciler"])
        try await dorm.live(port: server.port, token: token) { inbound, outbound in
            var messages = try await inbound.afterGreeting()
            let pass = try await washboard("reconcile", "--db", dorm.folder.databasePath)
            #expect(pass.stdout.contains("1 auto-released"), "\(pass.stdout) \(pass.stderr)")
            while let message = try await messages.next() {
                guard case .text(let text) = message, text.contains(#""type":"machine""#), text.contains(#""id":"W1""#) else {
                    continue
                }
                #expect(text.contains(#""state":"idle""#) && text.contains(#""use":null"#), "\(text)")
                break
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        await server.stop(signal: SIGTERM)
    }

    @Test("the policy flags move the steps; serve stores the dorm's default quiet hours")
    func configurable() async throws {
        let dorm = try await TestDorm()
        let (ada, _) = try await dorm.resident()
        // 36 minutes into a 45-minute cycle: ending soon only with a 10-minute lead.
        _ = try await dorm.store.startUse(
            StartUseRequest(machineId: "W1", residentId: ada), at: Date.currentSecond.addingTimeInterval(-36 * 60))
        let db = dorm.folder.databasePath
        let defaultLead = try await washboard("reconcile", "--dry-run", "--db", db)
        #expect(defaultLead.stdout.contains(": 0 ending_soon"), "\(defaultLead.stdout)")
        let longLead = try await washboard("reconcile", "--ending-soon-minutes", "10", "--db", db)
        #expect(longLead.stdout.contains(": 1 ending_soon"), "\(longLead.stdout)")

        let bad = try await washboard("serve", "--default-quiet-hours", "22-7", "--db", db)
        #expect(bad.status == 64 && bad.stderr.contains("--default-quiet-hours"))
        let server = try await ServerProcess(databasePath: db, extraArguments: ["--default-quiet-hours", "22:00-07:00"])
        await server.stop(signal: SIGTERM)
        let stored = try await dorm.store.setting(.defaultQuietHours)
        #expect(stored == #"{"end":"07:00","start":"22:00"}"#)
        for (flag, value) in [("--max-reminders", "11"), ("--auto-release-hours", "0"), ("--reminder-every-minutes", "0")] {
            let result = try await washboard("reconcile", flag, value, "--db", db)
            #expect(result.status == 64 && result.stderr.contains(flag), "\(flag)")
        }
    }

    @Test("a bad --now is one line on stderr and exit 64", arguments: ["yesterday", "2026-13-40T00:00:00Z", ""])
    func badNow(_ value: String) async throws {
        let folder = try TestFolder()
        let result = try await washboard("reconcile", "--now", value, "--db", folder.databasePath)
        #expect(result.status == 64)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("--now"))
    }
}
