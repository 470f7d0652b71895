import ArgumentParser
import Foundation

/// `washboard`: the server, the reconciler and the admin CLI, in one binary.
@main
struct Washboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "washboard",
        abstract: "Live laundry-room board for dorm residents: which machines are free, in use or broken.",
        discussion: """
            Every command works on one SQLite file (--db, default $WASHBOARD_DB or ./washboard.sqlite). \
            The server, cron and the admin commands may use it at the same time.
            """,
        subcommands: [Serve.self, Reconcile.self, Admin.self]
    )

    /// Like ArgumentParser's own `main`, but a usage error is one line on standard error
    /// (`washboard: <what is wrong>`), as every other failure of the CLI.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version, --experimental-dump-help
                print(fullMessage(for: error))
            } else if !(error is ExitCode) {
                printError(message(for: error))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
