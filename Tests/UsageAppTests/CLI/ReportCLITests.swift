import DeviceState
import Foundation
import Testing

@testable import UsageApp

@Suite("washboard admin reports")
struct ReportCLITests {
    @Test("list shows residents' reports, --open only unresolved ones; resolve records the note once")
    func listAndResolve() async throws {
        let dorm = try await TestDorm()
        let (ada, _) = try await dorm.resident()
        let report = try await dorm.store.reportProblem(machineId: "W1", by: ada, text: "Drum squeaks", at: .currentSecond)
        let db = dorm.folder.databasePath

        let open = try await washboard("admin", "reports", "list", "--open", "--json", "--db", db)
        #expect(try DomainJSON.decoder().decode([ProblemReport].self, from: Data(open.stdout.utf8)).map(\.id) == [report.id])

        let resolve = try await washboard("admin", "reports", "resolve", report.id, "--note", "new bearing", "--json", "--db", db)
        #expect(resolve.status == 0, "\(resolve.stderr)")
        let resolved = try DomainJSON.decoder().decode(ProblemReport.self, from: Data(resolve.stdout.utf8))
        #expect(resolved.resolution == "new bearing" && resolved.resolvedAt != nil)

        #expect(
            try await washboard("admin", "reports", "list", "--open", "--db", db).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines
            ).isEmpty)
        #expect(try await washboard("admin", "reports", "list", "--db", db).stdout.contains("resolved"))
        let again = try await washboard("admin", "reports", "resolve", report.id, "--db", db)
        #expect(again.status == 65 && again.stderr.contains("already resolved"))
        let unknown = try await washboard("admin", "reports", "resolve", "nope", "--db", db)
        #expect(unknown.status == 66 && unknown.stderr.split(separator: "\n").count == 1)
    }
}
