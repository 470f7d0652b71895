import Foundation

/// Machines and the board: what residents look at and admins change.
public protocol MachineStore: Sendable {
    /// Machines on the board with their open uses, and the notices live at `now`, as of the head `seq`.
    func board(at now: Date) async throws -> Board
    func machine(_ id: String) async throws -> MachineStatus
    func machines(includingRemoved: Bool) async throws -> [MachineStatus]
    /// Adds a machine, or brings back a removed one under the same id.
    func addMachine(_ machine: Machine) async throws -> MachineStatus
    /// Takes a machine off the board. Its history stays for statistics; an open use must be cleared first.
    func removeMachine(_ id: String, at now: Date) async throws
    /// Applies a ``MachineCommand``: closes the open use it ends and alerts an owner it overrules.
    func apply(_ command: MachineCommand, toMachine id: String, at now: Date) async throws -> MachineStatus
    /// Marks a machine broken (`note`) or repaired (`nil`), in one transaction with the notices of ``RepairNotices``.
    func markMachine(_ id: String, broken note: String?, postingNotice: Bool, at now: Date) async throws -> RepairOutcome
}

/// What an admin changed by marking a machine broken or repaired.
public struct RepairOutcome: Codable, Sendable, Hashable {
    public var machine: MachineStatus
    /// The notice posted for every board, when asked for.
    public var notice: Notice?
    /// Ids of the live outage notices about this machine alone that a repair took down.
    public var retractedNotices: [String]

    public init(machine: MachineStatus, notice: Notice?, retractedNotices: [String]) {
        self.machine = machine
        self.notice = notice
        self.retractedNotices = retractedNotices
    }
}
