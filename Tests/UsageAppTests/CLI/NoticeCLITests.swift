import DeviceState
import Foundation
import HummingbirdWSClient
import Synchronization
import Testing

@testable import UsageApp

@Suite("washboard admin notice")
struct NoticeCLITests {
    @Test("a notice posted by the CLI reaches a connected client within a second; retracted, it goes")
    func liveNotice() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        let db = dorm.folder.databasePath
        try await dorm.withServer { client in
            let latencies = Mutex<[Duration]>([])
            try await dorm.live(port: try #require(client.port), token: token) { inbound, outbound in
                var messages = try await inbound.afterGreeting()
                let post = try await washboard(
                    "admin", "notice", "post", "W1 is out until Friday", "--severity", "outage", "--machine", "W1", "--json",
                    "--db", db)
                #expect(post.status == 0, "\(post.stderr)")
                let posted = try DomainJSON.decoder().decode(Notice.self, from: Data(post.stdout.utf8))
                var committed = ContinuousClock.now
                #expect(posted.severity == .outage && posted.machineIds == ["W1"])
                while case .text(let text) = try await messages.next() {
                    guard text.contains(#""type":"notice""#), text.contains(posted.id) else { continue }
                    latencies.withLock { $0.append(ContinuousClock.now - committed) }
                    break
                }
                let retract = try await washboard("admin", "notice", "retract", posted.id, "--db", db)
                #expect(retract.status == 0, "\(retract.stderr)")
                committed = ContinuousClock.now
                while case .text(let text) = try await messages.next() {
                    guard text.contains(#""type":"notice_removed""#), text.contains(posted.id) else { continue }
                    latencies.withLock { $0.append(ContinuousClock.now - committed) }
                    break
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            let measured = latencies.withLock { $0 }
            #expect(measured.count == 2 && measured.allSatisfy { $0 < .seconds(1) }, "\(measured)")
        }
        #expect(try await dorm.store.board(at: Date()).notices.isEmpty)
    }

    @Test("a scheduled notice is published by reconcile at its time and not before; list shows it scheduled, then live")
    func scheduled() async throws {
        let dorm = try await TestDorm()
        let db = dorm.folder.databasePath
        let at = Date.currentSecond.addingTimeInterval(3600)
        let post = try await washboard(
            "admin", "notice", "post", "Water off 9-12", "--at", at.iso8601, "--expires", "3h", "--push", "--json", "--db", db)
        #expect(post.status == 0, "\(post.stderr)")
        let notice = try DomainJSON.decoder().decode(Notice.self, from: Data(post.stdout.utf8))
        #expect(notice.publishAt == at && notice.expiresAt == at.addingTimeInterval(3 * 3600) && notice.push)
        #expect(try await washboard("admin", "notice", "list", "--db", db).stdout.contains("scheduled for \(at.iso8601)"))

        let early = try await washboard("reconcile", "--now", at.addingTimeInterval(-1).iso8601, "--db", db)
        #expect(early.stdout.contains("0 notice(s) published"), "\(early.stdout)")
        let onTime = try await washboard("reconcile", "--now", at.iso8601, "--db", db)
        #expect(onTime.stdout.contains("1 notice(s) published"), "\(onTime.stdout)")
        let noticeEvents = try await dorm.store.events(after: 0, limit: 100).filter { $0.kind == .notice }
        #expect(noticeEvents.count == 1)

        let list = try await washboard("admin", "notice", "list", "--json", "--db", db)
        #expect(try DomainJSON.decoder().decode([Notice].self, from: Data(list.stdout.utf8)).map(\.id) == [notice.id])
    }

    @Test(
        "bad input: one line on stderr, the documented exit code, nothing stored",
        arguments: [
            (["post", "x", "--location", "Hall A", "--machine", "W1"], 64, "not both"),
            (["post", "x", "--at", "2020-01-01T00:00:00Z"], 64, "in the past"),
            (["post", "x", "--at", "tomorrow"], 64, "--at"),
            (["post", "x", "--expires", "soon"], 64, "--expires"),
            (["post", "x", "--urgent"], 64, "--push"),
            (["post", "x", "--push", "--quiet", "--urgent"], 64, "not both"),
            (["post", "x", "--severity", "panic"], 64, "--severity"),
            (["post", "x", "--machine", "W9"], 66, "W9"),
            (["post", "   "], 64, "text"),
            (["post", "x", "--at", "2099-01-01T10:00:00Z", "--expires", "2099-01-01T09:00:00Z"], 64, "expire"),
            (["retract", "nope"], 66, "nope"),
        ])
    func badInput(_ arguments: [String], _ status: Int32, _ message: String) async throws {
        let dorm = try await TestDorm()
        let result = try await washboard(["admin", "notice"] + arguments + ["--db", dorm.folder.databasePath])
        #expect(result.status == status)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(result.stderr)")
        #expect(try await dorm.store.notices(includingEnded: true, at: Date()).isEmpty)
    }

    @Test("retracting twice is a conflict")
    func retractTwice() async throws {
        let dorm = try await TestDorm()
        let db = dorm.folder.databasePath
        let post = try await washboard("admin", "notice", "post", "Dryers closed", "--json", "--db", db)
        let id = try DomainJSON.decoder().decode(Notice.self, from: Data(post.stdout.utf8)).id
        #expect(try await washboard("admin", "notice", "retract", id, "--db", db).status == 0)
        let again = try await washboard("admin", "notice", "retract", id, "--db", db)
        #expect(again.status == 65 && again.stderr.contains("already retracted"))
    }
}
