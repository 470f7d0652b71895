import Foundation
import GRDB

/// What an admin changed by marking a machine broken or repaired.
public struct RepairOutcome: Codable, Sendable, Hashable {
    public var machine: MachineStatus
    /// The notice posted for every board, when asked for.
    public var notice: Notice?
    /// Ids of the live outage notices about this machine alone that a repair took down.
    public var retractedNotices: [String]
}

extension SQLiteStore {
    /// How long the "back in service" notice of a repair stays on the boards.
    public static let repairNoticeLifetime: TimeInterval = 12 * 3600

    /// Marks a machine broken (closing its open use and alerting the owner) or repaired,
    /// in one transaction with the notices that go with it:
    /// - with `postingNotice`, breaking posts an outage notice about the machine, with no
    ///   end (the repair ends it), and repairing posts "back in service" for
    ///   ``repairNoticeLifetime``;
    /// - a repair always takes down the live outage notices about this machine alone,
    ///   whoever posted them: they are no longer true.
    public func markMachine(
        _ id: String, broken note: String?, postingNotice: Bool, at now: Date
    ) async throws -> RepairOutcome {
        try await write { db in
            let command: MachineCommand = note.map { .markBroken(note: $0) } ?? .markRepaired
            let (status, _) = try Self.apply(db, command, machineId: id, at: now)
            let machine = status.machine
            var retracted: [String] = []
            if note == nil {
                let outages = try Notice.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM notices WHERE severity = 'outage' AND retractedAt IS NULL AND publishAt <= ?
                            AND (expiresAt IS NULL OR expiresAt > ?)
                        """,
                    arguments: [now, now])
                for var notice in outages where notice.machineIds == [machine.id] {
                    try Self.retract(&notice, db, at: now)
                    retracted.append(notice.id)
                }
            }
            var notice: Notice?
            if postingNotice {
                let (text, severity, expiresAt): (String, Notice.Severity, Date?) =
                    if let note {
                        ("\(machine.label) is out of order: \(note)", .outage, nil)
                    } else {
                        ("\(machine.label) is back in service.", .info, now.addingTimeInterval(Self.repairNoticeLifetime))
                    }
                notice = try Self.post(
                    Notice(
                        id: Secrets.newShortID(), text: text, severity: severity, machineIds: [machine.id], publishAt: now,
                        expiresAt: expiresAt, createdAt: now),
                    db, at: now)
            }
            return RepairOutcome(machine: status, notice: notice, retractedNotices: retracted)
        }
    }
}
