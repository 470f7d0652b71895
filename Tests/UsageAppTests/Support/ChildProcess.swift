import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, for the tests that run `washboard`, nginx
/// and Debian tools.
///
/// Not Foundation's `Process`: in Swift 6.3.1 its `run()` reads `/proc/self/fd` with a
/// 256-byte copy of each `dirent` and now and then reads past the end of glibc's buffer
/// (swift-corelibs-foundation#5472), which crashed the test process in CI while another
/// test held 1,600 sockets open. The child gets standard input from /dev/null, its output
/// in files (or nowhere), and none of the test process's other descriptors.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The `waitpid` status once the child has ended.
    private let status = Mutex<Int32?>(nil)

    /// Standard output goes to `output`, standard error to `errors` (to `output` too when nil).
    init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String? = nil,
        errors: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        spawnClosesFrom(&actions, 3)
        let argv = [executable] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cEnvironment = variables.map { strdup($0) } + [nil]
        defer { for variable in cEnvironment { free(variable) } }
        // Like a shell's children: no signal blocked or ignored, whatever the test process does.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): error \(spawned)") }
        self.pid = pid
    }

    /// Whether it still runs (reaping it when it has ended).
    var isRunning: Bool {
        status.withLock { status in
            guard status == nil else { return false }
            var result: Int32 = 0
            switch waitpid(pid, &result, WNOHANG) {
            case pid:
                status = result
                return false
            case -1 where errno == ECHILD:
                return false  // waitForExit reaped it and is about to store its status
            default:
                return true
            }
        }
    }

    /// Its exit code, or 128 + the signal that ended it; nil while it runs.
    var terminationStatus: Int32? {
        guard !isRunning, let status = status.withLock({ $0 }) else { return nil }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Whether a signal ended it.
    var wasSignalled: Bool {
        guard !isRunning, let status = status.withLock({ $0 }) else { return false }
        return (status & 0x7f) != 0
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for its end, on a thread of its own; returns ``terminationStatus``.
    @discardableResult
    func waitForExit() async -> Int32 {
        await onOwnThread {
            guard self.status.withLock({ $0 }) == nil else { return }
            var result: Int32 = 0
            var reaped = waitpid(self.pid, &result, 0)
            while reaped == -1, errno == EINTR { reaped = waitpid(self.pid, &result, 0) }
            // -1 (ECHILD): `isRunning` reaped it meanwhile and holds its status.
            if reaped == self.pid { self.status.withLock { $0 = result } }
        }
        return terminationStatus ?? -1
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which its headers
/// declare only for `_GNU_SOURCE`: the child closes every descriptor from `lowest` up.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnClosesFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32
