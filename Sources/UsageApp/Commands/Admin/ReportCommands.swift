import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin reports list|resolve`.
struct ReportCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Residents' problem reports: list them, mark them resolved.",
        subcommands: [List.self, Resolve.self])

    static func text(_ report: ProblemReport) -> String {
        let state = report.resolvedAt.map { "resolved \($0.iso8601)" + (report.resolution.map { ": \($0)" } ?? "") } ?? "open"
        return
            "report \(report.id) on \(report.machineId) by \(report.residentId), \(report.createdAt.iso8601) [\(state)]: \(report.text)"
    }
}

extension ReportCommands {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List problem reports, newest first.")

        @Flag(help: "Only those not resolved yet.")
        var open = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let reports = try await store.reports(openOnly: open)
                try output.print(reports) { reports.map(ReportCommands.text).joined(separator: "\n") }
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a report resolved.",
            discussion: "Example: washboard admin reports resolve REPORT_ID --note \"new door seal fitted\"")

        @Argument(help: "The report's id.")
        var id: String
        @Option(help: "What was done (up to 500 characters).")
        var note: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let note, !InputRules.resolutionLength.contains(note.count) {
                throw ValidationError("--note must be at most \(InputRules.resolutionLength.upperBound) characters.")
            }
        }

        func run() async throws {
            try await runAdmin(database) { store in
                let report = try await store.resolveReport(id, resolution: note, at: .currentSecond)
                try output.print(report) { ReportCommands.text(report) }
            }
        }
    }
}
