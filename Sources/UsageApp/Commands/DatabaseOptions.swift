import ArgumentParser
import DeviceState
import Foundation

/// `--db PATH`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "The SQLite database file.", discussion: "Default: $WASHBOARD_DB, else ./washboard.sqlite.", valueName: "path"))
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["WASHBOARD_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "washboard.sqlite"
    }

    /// Opens the store, creating and migrating the file when needed: the one place where a
    /// command chooses a backend. Everything it hands the store to takes only the protocols it uses.
    func openStore() throws -> any WashboardStore {
        let path = resolvedPath
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            let store = try SQLiteStore(path: path)
            if !existed { printError("created a new database at \(path)") }
            return store
        } catch {
            throw CLIError.database("cannot open the database at \(path): \(error)")
        }
    }
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("washboard: \(message)\n".utf8))
}
