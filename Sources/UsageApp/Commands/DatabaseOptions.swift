import ArgumentParser
import DeviceState
import Foundation

/// `--db PATH|URL`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "The SQLite database file, or a postgres:// URL.",
            discussion: """
                Default: $WASHBOARD_DB, else ./washboard.sqlite. A URL looks like \
                postgres://user:password@host:5432/database?sslmode=disable (sslmode: disable, prefer or require).
                """,
            valueName: "path-or-url"))
    var location: String?

    var resolvedLocation: String {
        location ?? ProcessInfo.processInfo.environment["WASHBOARD_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "washboard.sqlite"
    }

    /// Runs `body` with the store, creating and migrating the database when needed: the one
    /// place where a command chooses a backend. Everything it hands the store to takes only
    /// the protocols it uses. A PostgreSQL store's connections live as long as `body`.
    func withStore<T>(_ body: (any WashboardStore) async throws -> T) async throws -> T {
        try await Self.withStore(at: resolvedLocation, body)
    }

    static func withStore<T>(at location: String, _ body: (any WashboardStore) async throws -> T) async throws -> T {
        guard PostgresStore.isURL(location) else { return try await body(try openSQLite(location)) }
        let store: PostgresStore
        do {
            store = try PostgresStore(url: location)
        } catch {
            throw CLIError.usage("--db: \(error)")
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    private static func openSQLite(_ path: String) throws -> SQLiteStore {
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
