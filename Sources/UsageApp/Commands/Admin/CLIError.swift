import ArgumentParser
import DeviceState
import Foundation

/// A failure of an admin command: one line on standard error and a distinct exit code.
///
/// | code | meaning |
/// |---|---|
/// | 64 | usage: an unknown flag, a missing or malformed value (also ArgumentParser's own errors) |
/// | 65 | conflict: the command does not fit the current state (machine busy, already exists, not broken) |
/// | 66 | not found: no such machine, resident, notice or report |
/// | 69 | unavailable: push is not set up, or a test notification was not delivered |
/// | 74 | the database cannot be opened, read or written (e.g. locked for longer than the busy timeout) |
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case conflict(String)
    case notFound(String)
    case unavailable(String)
    case database(String)

    var exitCode: Int32 {
        switch self {
        case .usage: 64
        case .conflict: 65
        case .notFound: 66
        case .unavailable: 69
        case .database: 74
        }
    }

    var description: String { message }

    var message: String {
        switch self {
        case .usage(let message), .conflict(let message), .notFound(let message), .unavailable(let message),
            .database(let message):
            message
        }
    }

    init(_ error: DeviceStateError) {
        let message = error.description
        switch error {
        case .machineNotFound, .useNotFound, .residentNotFound, .noticeNotFound, .reportNotFound, .alertNotFound,
            .waitlistEntryNotFound,
            .kioskNotFound:
            self = .notFound(message)
        case .invalidInput, .enrollmentCodeInvalid, .idempotencyKeyReused:
            self = .usage(message)
        case .machineBusy, .machineBroken, .machineNotInUse, .machineNotBroken, .machineNotDone, .machineExists, .noticeRetracted,
            .reportResolved,
            .notUseOwner, .useAlreadyClosed, .cancelWindowPassed, .ownUse, .residentRevoked, .rateLimited,
            .tooManyPushSubscriptions, .machineHeld, .alreadyWaiting:
            self = .conflict(message)
        }
    }
}

/// The body of every admin command that uses the database: `body` with the store of `--db`.
func runAdmin(_ database: DatabaseOptions, _ body: (any WashboardStore) async throws -> Void) async throws {
    try await runAdmin { try await database.withStore(body) }
}

/// The body of every admin command: runs `body`, and turns any failure into one line on
/// standard error and the exit code of ``CLIError``.
func runAdmin(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        printError(error.message)
        throw ExitCode(error.exitCode)
    } catch let error as DeviceStateError {
        let error = CLIError(error)
        printError(error.message)
        throw ExitCode(error.exitCode)
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("database error: \(error)")
        throw ExitCode(CLIError.database("").exitCode)
    }
}
