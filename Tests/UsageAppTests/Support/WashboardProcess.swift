import Foundation
import Synchronization

/// The `washboard` executable built next to the test bundle (`swift build --build-tests` builds both),
/// or the one named by `WASHBOARD_BIN`.
enum WashboardBinary {
    static var url: URL {
        get throws {
            if let path = ProcessInfo.processInfo.environment["WASHBOARD_BIN"] { return URL(fileURLWithPath: path) }
            let folder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
            for candidate in [folder, folder.deletingLastPathComponent()] {
                let url = candidate.appendingPathComponent("washboard")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
            throw MissingBinary(folder: folder.path)
        }
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var folder: String
        var description: String { "no washboard executable in \(folder): run `swift build --build-tests` before `swift test`" }
    }
}

/// The outcome of one `washboard` command.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `washboard arguments…` to completion.
func washboard(_ arguments: String...) async throws -> CommandResult {
    try await washboard(arguments)
}

/// Runs `washboard arguments…` to completion, with `extraEnvironment` added to the test's own.
///
/// Output goes to temporary files, not pipes: a pipe's write end can leak into a child
/// spawned at the same moment by a test running in parallel (a server that lives for the
/// whole test), and reading that pipe to its end would then block a thread of the
/// cooperative pool for as long, which on two cores stalls every test.
func washboard(_ arguments: [String], extraEnvironment: [String: String] = [:]) async throws -> CommandResult {
    try await run(try WashboardBinary.url, arguments, extraEnvironment: extraEnvironment)
}

/// Runs `executable arguments…` to completion (`washboard`, or a Debian tool a test reads
/// the server's output with), with `extraEnvironment` added to the test's own.
func run(_ executable: URL, _ arguments: [String], extraEnvironment: [String: String] = [:]) async throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "WASHBOARD_DB")
    environment.merge(extraEnvironment) { $1 }
    let folder = try TestFolder()
    let (stdout, stderr) = (folder.url.appendingPathComponent("stdout").path, folder.url.appendingPathComponent("stderr").path)
    let child = try ChildProcess(executable.path, arguments, environment: environment, output: stdout, errors: stderr)
    let status = await child.waitForExit()
    let text = [stdout, stderr].map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
    return CommandResult(status: status, stdout: text[0], stderr: text[1])
}

/// `washboard serve` as a child process on a free port.
final class ServerProcess: Sendable {
    let process: ChildProcess
    let port: Int
    private let output: URL

    /// Starts the server and waits until it prints the port it listens on.
    init(databasePath: String, extraArguments: [String] = []) async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("washboard-serve-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "WASHBOARD_DB")
        let process = try ChildProcess(
            try WashboardBinary.url.path,
            ["serve", "--db", databasePath, "--port", "0", "--log-level", "warning"] + extraArguments,
            environment: environment, output: output.path)
        self.process = process
        self.output = output
        self.port = try await Self.waitForPort(in: output, process: process)
    }

    /// Reads the server's output until it names its port; a process that exits first fails the wait.
    private static func waitForPort(in output: URL, process: ChildProcess) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: "serving on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            guard process.isRunning else { throw StartFailure(output: text) }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.signal(SIGTERM)
        throw StartFailure(output: "timed out waiting for the port")
    }

    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "washboard serve did not start: \(output)" }
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Reads the server's output until it contains `text`; a process that exits first fails the wait.
    func waitForLog(_ text: String) async throws {
        while !log.contains(text) {
            guard process.isRunning else { throw StartFailure(output: log) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends `signal` and waits for the process to end.
    func stop(signal: Int32) async {
        process.signal(signal)
        // Gives up when the test is cancelled (its time limit), so that a server that does not stop fails the test.
        while process.isRunning, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
    }

    deinit {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: output)
    }
}
