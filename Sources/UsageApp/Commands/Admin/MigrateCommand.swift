import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin migrate --from PATH_OR_URL --to PATH_OR_URL`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a dorm to another database: its SQLite file to PostgreSQL, or back.",
        discussion: """
            Copies every row, with its sequence numbers, into an empty database in one transaction, then checks \
            that every table holds as many rows as in the source. Stop the servers and cron first: what they \
            write meanwhile would not be copied. The source is left as it was.
            Example: washboard admin migrate --from /var/lib/washboard/washboard.sqlite --to postgres://washboard@db/washboard
            """)

    @Option(help: ArgumentHelp("The database to copy: a SQLite file or a postgres:// URL.", valueName: "path-or-url"))
    var from: String
    @Option(help: ArgumentHelp("The empty database to fill: a SQLite file or a postgres:// URL.", valueName: "path-or-url"))
    var to: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard from != to else { throw ValidationError("--from and --to name the same database.") }
    }

    struct Report: Encodable {
        var rows: [String: Int]
        var headSeq: Int64
    }

    func run() async throws {
        try await runAdmin {
            if !PostgresStore.isURL(from), !FileManager.default.fileExists(atPath: from) {
                throw CLIError.notFound("There is no database file at \(from).")
            }
            let report = try await DatabaseOptions.withStore(at: from) { source in
                try await DatabaseOptions.withStore(at: to) { target in
                    let dorm = try await source.exportDorm()
                    do {
                        try await target.importDorm(dorm)
                    } catch let error as DormSnapshot.TargetNotEmpty {
                        throw CLIError.conflict("--to: \(error)")
                    }
                    let copied = try await target.rowCounts()
                    guard copied == dorm.rowCounts else {
                        throw CLIError.database(
                            "the copy does not hold what the source holds: \(copied) against \(dorm.rowCounts)")
                    }
                    return Report(rows: copied, headSeq: try await target.headSeq())
                }
            }
            try output.print(report) {
                let rows = DormSnapshot.tables.map { "\(report.rows[$0] ?? 0) \($0)" }.joined(separator: ", ")
                return "copied \(rows); the event log ends at seq \(report.headSeq)"
            }
        }
    }
}
