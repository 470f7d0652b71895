import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// A throwaway PostgreSQL 15 cluster for the tests of one process: `initdb` in a temporary
/// folder, `postgres` on a free loopback port, each test its own database; stopped and
/// removed when the process exits.
///
/// `initdb` refuses to run as root, so as root the cluster runs as the `postgres` user.
/// The binaries come from `$PG_BIN`, else Debian's `/usr/lib/postgresql/15/bin`
/// (`scripts/setup` installs them). Durability is off: these databases live for seconds.
public actor PostgresTestCluster {
    public static let shared = PostgresTestCluster()

    private var running: (folder: URL, port: Int)?
    private var databases = 0

    /// A new, empty database on the cluster, started on first use; its `postgres://` URL.
    public func newDatabase() async throws -> String {
        let port = try await start()
        databases += 1
        let name = "washboard_\(ProcessInfo.processInfo.processIdentifier)_\(databases)"
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: PostgresConnection.Configuration(
                host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable),
            id: databases, logger: Self.logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
        return Self.url(port: port, database: name)
    }

    public static func url(port: Int, database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    private static let logger = Logger(label: "washboard.test.postgres")

    private func start() async throws -> Int {
        if let running { return running.port }
        let bin = ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
        guard FileManager.default.isExecutableFile(atPath: bin + "/initdb") else {
            throw Failure("no PostgreSQL at \(bin); scripts/setup installs postgresql-15")
        }
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("washboard-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot { try run("/bin/chown", ["postgres", folder.path]) }
        let data = folder.appendingPathComponent("data").path
        try run(
            bin + "/initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
            asPostgres: asRoot)
        let port = try Self.freePort()
        let options = [
            "-p \(port)", "-k \(folder.path)", "-c listen_addresses=127.0.0.1", "-c max_connections=400",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
        ].joined(separator: " ")
        try run(
            bin + "/pg_ctl", ["-D", data, "-o", options, "-l", folder.appendingPathComponent("log").path, "-w", "start"],
            asPostgres: asRoot)
        running = (folder, port)
        Self.stopAtExit(bin: bin, data: data, folder: folder, asPostgres: asRoot)
        return port
    }

    /// Stops the cluster when the test process ends (also when it fails), and removes its folder.
    private nonisolated static func stopAtExit(bin: String, data: String, folder: URL, asPostgres: Bool) {
        stopCommand = (bin, data, folder, asPostgres)
        atexit {
            guard let (bin, data, folder, asPostgres) = PostgresTestCluster.stopCommand else { return }
            try? PostgresTestCluster.run(bin + "/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], asPostgres: asPostgres)
            try? FileManager.default.removeItem(at: folder)
        }
    }

    nonisolated(unsafe) private static var stopCommand: (String, String, URL, Bool)?

    /// Runs a command to its end, its output to a file. `posix_spawn` and `waitpid`, not
    /// `Process`: its `waitUntilExit` never returned here when called from a test's task, and
    /// the exit handler cannot await.
    private nonisolated static func run(_ path: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        let output = NSTemporaryDirectory() + "washboard-pg-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure("cannot start \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw Failure("\(path) failed (status \(status)): \(text.suffix(2000))")
        }
    }

    private nonisolated func run(_ path: String, _ arguments: [String], asPostgres: Bool = false) throws {
        try Self.run(path, arguments, asPostgres: asPostgres)
    }

    /// A loopback port nobody listens on right now.
    public nonisolated static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw Failure("cannot bind a loopback port") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
