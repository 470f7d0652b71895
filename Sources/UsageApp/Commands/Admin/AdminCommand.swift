import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin …`: works on the database file directly, also while the server runs.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage machines, kiosks, residents, notices, reports and Web Push; see how the room is used.",
        discussion: """
            Changes reach open boards through the event log. Exit codes: 0 success, 64 bad usage or value, \
            65 conflict with the current state, 66 not found, 69 push unavailable, 74 database error.
            """,
        subcommands: [
            MachineCommands.self, KioskCommands.self, ResidentCommands.self, NoticeCommands.self, ReportCommands.self,
            VAPIDCommands.self,
            PushCommands.self, AlertsCommand.self, StatsCommand.self, MigrateCommand.self,
        ])
}

/// `--json`, shared by every admin command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false

    /// Prints `value` as JSON, or `text()` for a person.
    func print(_ value: some Encodable, text: () -> String) throws {
        if json {
            Swift.print(String(decoding: try DomainJSON.encoder().encode(value), as: UTF8.self))
        } else {
            Swift.print(text())
        }
    }
}

/// Text columns for lists printed to a terminal.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    return ([header] + rows).map { row in
        row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
