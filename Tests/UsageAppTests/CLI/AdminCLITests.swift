import DeviceState
import Foundation
import NIOCore
import Notify
import Testing

@testable import UsageApp

@Suite("washboard admin")
struct AdminCLITests {
    @Test("the documented forms work and --json prints what they did")
    func documentedForms() async throws {
        let folder = try TestFolder()
        let db = folder.databasePath

        let add = try await washboard(
            "admin", "machine", "add", "W9", "--kind", "washer", "--location", "Hall B", "--label", "Big washer", "--minutes",
            "45", "--json", "--db", db)
        #expect(add.status == 0, "\(add.stderr)")
        let added = try DomainJSON.decoder().decode(MachineStatus.self, from: Data(add.stdout.utf8))
        #expect(
            added.machine
                == Machine(
                    id: "W9", kind: .washer, label: "Big washer", location: "Hall B", cycleMinutes: 45,
                    updatedAt: added.machine.updatedAt))

        let broken = try await washboard("admin", "machine", "broken", "W9", "--note", "door seal leaking", "--db", db)
        #expect(broken.status == 0 && broken.stdout.contains("W9"))
        let repaired = try await washboard("admin", "machine", "repaired", "W9", "--json", "--db", db)
        #expect(
            try DomainJSON.decoder().decode(RepairOutcome.self, from: Data(repaired.stdout.utf8)).machine.machine.state == .idle)

        let resident = try await washboard("admin", "resident", "add", "--name", "Ada", "--room", "101", "--json", "--db", db)
        #expect(resident.status == 0, "\(resident.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(resident.stdout.utf8)) as? [String: Any])
        let code = try #require(output["code"] as? String)
        #expect(output["link"] as? String == "http://127.0.0.1:8080/join#code=\(code)")
        #expect((output["id"] as? String)?.isEmpty == false)

        let store = try SQLiteStore(path: db)
        let (redeemed, _) = try await store.redeemEnrollmentCode(code, at: .currentSecond)
        #expect(redeemed.name == "Ada" && redeemed.room == "101")

        let list = try await washboard("admin", "resident", "list", "--db", db)
        #expect(list.stdout.contains("Ada") && list.stdout.contains("active"))
        let revoke = try await washboard("admin", "resident", "revoke", redeemed.id, "--db", db)
        #expect(revoke.status == 0)
        #expect(try await store.resident(redeemed.id).revokedAt != nil)
    }

    @Test("clear frees an in-use machine and alerts its owner; remove takes it off the board")
    func clearAndRemove() async throws {
        let folder = try TestFolder()
        let store = try SQLiteStore(path: folder.databasePath)
        _ = try await store.addMachine(
            Machine(id: "D1", kind: .dryer, label: "Dryer 1", location: "Hall A", cycleMinutes: 60, updatedAt: .currentSecond))
        let (_, code) = try await store.addResident(name: "Ada", room: "1", codeValidFor: 60, at: .currentSecond)
        let (ada, _) = try await store.redeemEnrollmentCode(code.code, at: .currentSecond)
        _ = try await store.startUse(StartUseRequest(machineId: "D1", residentId: ada.id), at: .currentSecond)

        let busyRemove = try await washboard("admin", "machine", "remove", "D1", "--db", folder.databasePath)
        #expect(busyRemove.status == 65)
        let head = try await store.headSeq()
        #expect(try await washboard("admin", "machine", "clear", "D1", "--db", folder.databasePath).status == 0)
        let events = try await store.events(after: head, limit: 10)
        #expect(events.map(\.kind) == [.machine, .alert] && events.last?.topic == .resident(ada.id))
        #expect(try await washboard("admin", "machine", "remove", "D1", "--db", folder.databasePath).status == 0)
        #expect(try await store.board(at: .currentSecond).machines.isEmpty)
    }

    @Test("--json prints what each remaining command did")
    func jsonOutput() async throws {
        let dorm = try await TestDorm()
        let (ada, _) = try await dorm.resident()
        let db = dorm.folder.databasePath
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada), at: .currentSecond)
        func json(_ arguments: String...) async throws -> [String: Any] {
            let result = try await washboard(["admin"] + arguments + ["--json", "--db", db])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            return try #require(value as? [String: Any] ?? (value as? [[String: Any]]).map { ["list": $0] })
        }

        let cleared = try await json("machine", "clear", "W1")
        #expect(cleared["state"] as? String == "idle" && cleared["use"] is NSNull)
        #expect(try await json("machine", "remove", "W1") as? [String: String] == ["id": "W1", "removed": "true"])
        let residents = try await json("resident", "list")["list"] as? [[String: Any]]
        #expect(residents?.compactMap { $0["id"] as? String } == [ada])
        #expect(residents?.first?["staff"] as? Bool == false)
        let staff = try await json("resident", "add", "--name", "Sam", "--room", "001", "--staff")
        let sam = try #require(staff["id"] as? String)
        #expect(try await dorm.store.resident(sam).staff)
        #expect(try await json("resident", "staff", sam, "--off")["staff"] as? Bool == false)
        #expect(try await json("resident", "staff", ada)["staff"] as? Bool == true)
        let code = try await json("resident", "code", ada)
        #expect(code["id"] as? String == ada && (code["code"] as? String)?.isEmpty == false)
        let revoked = try await json("resident", "revoke", ada)
        #expect(revoked["id"] as? String == ada && revoked["revokedAt"] is String)
        let posted = try await json("notice", "post", "Dryers closed")
        let retracted = try await json("notice", "retract", try #require(posted["id"] as? String))
        #expect(retracted["id"] as? String == posted["id"] as? String && retracted["retractedAt"] is String)
    }

    @Test("admin commands at once, next to a running server: each waits for the write lock, none is lost")
    func concurrentWriters() async throws {
        let dorm = try await TestDorm()
        let db = dorm.folder.databasePath
        let head = try await dorm.store.headSeq()
        let ids = (1...12).map { "C\($0)" }
        try await dorm.withServer { _ in
            let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
                for id in ids {
                    group.addTask {
                        try await washboard("admin", "machine", "add", id, "--kind", "dryer", "--location", "Hall C", "--db", db)
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 0, count: ids.count))
        }
        let machines = try await dorm.store.machines(includingRemoved: false).map(\.machine.id)
        #expect(Set(machines) == Set(ids + ["W1", "W2"]))
        #expect(try await dorm.store.headSeq() == head + Int64(ids.count))
    }

    struct BadInput: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let badInputs: [BadInput] = [
        BadInput(arguments: ["machine", "broken", "W404", "--note", "x"], status: 66, message: "There is no machine \"W404\"."),
        BadInput(arguments: ["machine", "repaired", "W1"], status: 65, message: "W1 is not broken"),
        BadInput(arguments: ["machine", "clear", "W1"], status: 65, message: "W1 is not in use"),
        BadInput(
            arguments: ["machine", "add", "W1", "--kind", "washer", "--location", "Hall A"], status: 65, message: "already exists"
        ),
        BadInput(
            arguments: ["machine", "add", "W 1", "--kind", "washer", "--location", "Hall A"], status: 64, message: "Invalid id"),
        BadInput(
            arguments: ["machine", "add", "W2", "--kind", "spaceship", "--location", "Hall A"], status: 64, message: "spaceship"),
        BadInput(
            arguments: ["machine", "add", "W2", "--kind", "washer", "--location", "Hall A", "--minutes", "0"], status: 64,
            message: "1 to 240"),
        BadInput(arguments: ["machine", "add", "W2", "--kind", "washer"], status: 64, message: "--location"),
        BadInput(arguments: ["machine", "broken", "W1"], status: 64, message: "--note"),
        BadInput(arguments: ["machine", "broken", "W1", "--note", " "], status: 64, message: "--note"),
        BadInput(
            arguments: ["machine", "add", "W2", "--kind", "washer", "--location", "Hall A", "--colour", "red"], status: 64,
            message: "--colour"),
        BadInput(arguments: ["resident", "revoke", "nobody"], status: 66, message: "There is no resident"),
        BadInput(arguments: ["resident", "staff", "nobody"], status: 66, message: "There is no resident"),
        BadInput(arguments: ["resident", "add", "--name", "", "--room", "101"], status: 64, message: "name"),
        BadInput(
            arguments: ["resident", "add", "--name", "Ada", "--room", "101", "--valid-for", "0"], status: 64,
            message: "--valid-for"),
    ]

    @Test("bad input: one line on stderr, a distinct exit code, the database unchanged", arguments: badInputs)
    func badInput(_ input: BadInput) async throws {
        let folder = try TestFolder()
        let db = folder.databasePath
        #expect(
            try await washboard("admin", "machine", "add", "W1", "--kind", "washer", "--location", "Hall A", "--db", db).status
                == 0)
        let store = try SQLiteStore(path: db)
        let before = (try await store.headSeq(), try await store.machines(includingRemoved: true), try await store.residents())

        let result = try await washboard(["admin"] + input.arguments + ["--db", db])

        #expect(result.status == input.status)
        #expect(result.stderr.contains(input.message), "\(result.stderr)")
        #expect(
            result.stderr.hasPrefix("washboard: ") && result.stderr.split(separator: "\n").count == 1,
            "one line: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let after = (try await store.headSeq(), try await store.machines(includingRemoved: true), try await store.residents())
        #expect(before.0 == after.0 && before.1 == after.1 && before.2 == after.2)
    }

    @Test("admin alerts shows each alert's whole path: live to sockets and acked, or pushed because unacknowledged")
    func alertPaths() async throws {
        let dorm = try await TestDorm()
        let (ada, _) = try await dorm.resident("Ada")
        let (bea, _) = try await dorm.resident("Bea")
        let now = Date.currentSecond
        for (resident, machine) in [(ada, "W1"), (bea, "W2")] {
            _ = try await dorm.store.startUse(
                StartUseRequest(machineId: machine, residentId: resident), at: now.addingTimeInterval(-50 * 60))
            _ = try await dorm.store.addPushSubscription(
                residentId: resident, endpoint: "https://fcm.googleapis.com/fcm/send/\(resident)", p256dh: "k", auth: "a",
                at: now)
        }
        _ = try await dorm.store.reconcileUses(at: now, policy: .init(), dryRun: false)
        let alerts = try await dorm.store.alertLedger(residentId: nil, since: .distantPast, limit: 10)
        let adas = try #require(alerts.first { $0.alert.residentId == ada })
        try await dorm.store.recordLiveDelivery([LiveDelivery(alertId: adas.alert.id, sockets: 2)], at: now)
        _ = try await dorm.store.acknowledgeAlert(adas.alert.id, residentId: ada, at: now)
        try await dorm.store.routeAlerts(
            createdBefore: now, ids: nil, timeZone: .current, at: now, drafting: AlertPush.draft)

        let text = try await washboard("admin", "alerts", "--db", dorm.folder.databasePath)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.contains { $0.contains(ada) && $0.contains("live to 2 sockets") && $0.contains("acked") })
        #expect(
            lines.contains {
                $0.contains(bea) && $0.contains("pushed") && $0.contains("(unacknowledged): fcm.googleapis.com pending")
            })

        let json = try await washboard(
            "admin", "alerts", "--resident", bea, "--since", "1h", "--json", "--db", dorm.folder.databasePath)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["residentId"] as? String } == [bea])
        let routed = (listed.first?["delivery"] as? [String: Any])?["routed"] as? [String: Any]
        #expect(routed?["outcome"] as? String == "pushed" && routed?["because"] as? String == "unacknowledged")

        #expect(try await washboard("admin", "alerts", "--since", "soon", "--db", dorm.folder.databasePath).status == 64)
    }

}
