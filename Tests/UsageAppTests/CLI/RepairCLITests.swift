import DeviceState
import Foundation
import HummingbirdWSClient
import Testing

@testable import UsageApp

@Suite("washboard admin machine broken|repaired")
struct RepairCLITests {
    @Test("broken --notice on an in-use machine: its owner gets use_closed, every board shows it broken and the notice")
    func brokenWhileInUse() async throws {
        let dorm = try await TestDorm()
        let (ada, token) = try await dorm.resident()
        let db = dorm.folder.databasePath
        let use = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada), at: .currentSecond)
        let shared = try await washboard(
            "admin", "notice", "post", "W1 and W2 share a drain", "--severity", "outage", "--machine", "W1", "--machine", "W2",
            "--json", "--db", db)
        let sharedNotice = try DomainJSON.decoder().decode(Notice.self, from: Data(shared.stdout.utf8))

        try await dorm.withServer { client in
            try await dorm.live(port: try #require(client.port), token: token) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                /// The next frames up to and including the first of `type`, as JSON objects by type.
                func frames(until type: String) async throws -> [String: [String: Any]] {
                    var seen: [String: [String: Any]] = [:]
                    while case .text(let text) = try await messages.next() {
                        let frame = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                        let frameType = try #require(frame["type"] as? String)
                        seen[frameType] = frame
                        if frameType == type { break }
                    }
                    return seen
                }

                let broken = try await washboard(
                    "admin", "machine", "broken", "W1", "--note", "drum stuck", "--notice", "--json", "--db", db)
                #expect(broken.status == 0, "\(broken.stderr)")
                let outcome = try DomainJSON.decoder().decode(RepairOutcome.self, from: Data(broken.stdout.utf8))
                let outage = try #require(outcome.notice)
                #expect(outcome.machine.machine.state == .broken && outcome.machine.use == nil)
                #expect(outage.severity == .outage && outage.machineIds == ["W1"] && outage.text.contains("drum stuck"))

                // One transaction, so one order: the machine, the owner's alert, the notice.
                let afterBreak = try await frames(until: "notice")
                let machine = afterBreak["machine"]?["machine"] as? [String: Any]
                #expect(machine?["id"] as? String == "W1" && machine?["state"] as? String == "broken")
                #expect(machine?["stateNote"] as? String == "drum stuck")
                let alert = afterBreak["alert"]?["alert"] as? [String: Any]
                #expect(alert?["kind"] as? String == "use_closed" && alert?["useId"] as? String == use.use.id)
                #expect((afterBreak["notice"]?["notice"] as? [String: Any])?["id"] as? String == outage.id)

                let repaired = try await washboard("admin", "machine", "repaired", "W1", "--notice", "--json", "--db", db)
                #expect(repaired.status == 0, "\(repaired.stderr)")
                let repair = try DomainJSON.decoder().decode(RepairOutcome.self, from: Data(repaired.stdout.utf8))
                #expect(repair.machine.machine.state == .idle)
                #expect(repair.retractedNotices == [outage.id], "the shared notice stays: it is about W2 too")
                let back = try #require(repair.notice)
                #expect(back.severity == .info && back.expiresAt == back.publishAt.addingTimeInterval(12 * 3600))

                let afterRepair = try await frames(until: "notice")
                #expect(afterRepair["notice_removed"]?["id"] as? String == outage.id)
                #expect((afterRepair["machine"]?["machine"] as? [String: Any])?["state"] as? String == "idle")
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        let board = try await dorm.store.board(at: Date())
        #expect(Set(board.notices.map(\.id)).count == 2 && board.notices.contains { $0.id == sharedNotice.id })
        #expect(board.machines.first { $0.machine.id == "W1" }?.machine.state == .idle)
        let text = try await washboard("admin", "machine", "broken", "W2", "--note", "no water", "--db", db)
        #expect(text.stdout == "marked W2 broken: now broken\n")
    }

    @Test("stats: the room's uses and outages as text and as JSON")
    func stats() async throws {
        let dorm = try await TestDorm()
        let (ada, _) = try await dorm.resident()
        let db = dorm.folder.databasePath
        let start = Date.currentSecond.addingTimeInterval(-3 * 3600)
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada), at: start)
        _ = try await dorm.store.apply(.collect(residentId: ada), toMachine: "W1", at: start.addingTimeInterval(45 * 60))
        _ = try await dorm.store.markMachine("W2", broken: "leak", postingNotice: false, at: start)
        _ = try await dorm.store.markMachine("W2", broken: nil, postingNotice: false, at: start.addingTimeInterval(3600))

        let since = start.addingTimeInterval(-60).iso8601
        let json = try await washboard(
            ["admin", "stats", "--since", since, "--json", "--db", db], extraEnvironment: ["TZ": "UTC"])
        #expect(json.status == 0, "\(json.stderr)")
        let stats = try DomainJSON.decoder().decode(DormStats.self, from: Data(json.stdout.utf8))
        #expect(stats.machines.map(\.id) == ["W1", "W2"])
        #expect(
            stats.machines.map { [$0.uses, $0.inUseMinutes, $0.outages, $0.brokenMinutes] } == [[1, 45, 0, 0], [0, 0, 1, 60]])
        #expect(stats.busiestHours == [Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: start).hour])
        #expect(stats.timeZone == "UTC" || stats.timeZone == "GMT")

        let text = try await washboard(["admin", "stats", "--since", since, "--db", db], extraEnvironment: ["TZ": "UTC"])
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines.contains(["W1", "Washer", "W1", "1", "45m", "0", "0m"]), "\(text.stdout)")
        #expect(lines.contains(["W2", "Washer", "W2", "0", "0m", "1", "1h", "00m"]), "\(text.stdout)")
        #expect(text.stdout.contains("push: 0 delivered, 0 pending"))
    }

    @Test(
        "bad input: one line on stderr, the documented exit code, the database unchanged",
        arguments: [
            (["machine", "repaired", "W404", "--notice"], 66, "There is no machine \"W404\"."),
            (["machine", "repaired", "W1", "--notice"], 65, "W1 is not broken"),
            (["machine", "broken", "W1", "--notice"], 64, "--note"),
            (["stats", "--since", "last week"], 64, "--since"),
            (["stats", "--since", "2026-02-30"], 64, "--since"),
            (["stats", "--since", "2999-01-01"], 64, "in the future"),
            (["stats", "--json", "--until", "x"], 64, "--until"),
        ])
    func badInput(_ arguments: [String], _ status: Int32, _ message: String) async throws {
        let dorm = try await TestDorm()
        let before = (try await dorm.store.headSeq(), try await dorm.store.machines(includingRemoved: true))
        let result = try await washboard(["admin"] + arguments + ["--db", dorm.folder.databasePath])
        #expect(result.status == status)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let after = (try await dorm.store.headSeq(), try await dorm.store.machines(includingRemoved: true))
        #expect(before.0 == after.0 && before.1 == after.1)
        #expect(try await dorm.store.notices(includingEnded: true, at: Date()).isEmpty)
    }
}
