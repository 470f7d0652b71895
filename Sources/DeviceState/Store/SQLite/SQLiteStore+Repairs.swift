import Foundation
import GRDB

extension SQLiteStore {
    public func markMachine(_ id: String, broken note: String?, postingNotice: Bool, at now: Date) async throws
        -> RepairOutcome
    {
        try await write { db in
            let command: MachineCommand = note.map { .markBroken(note: $0) } ?? .markRepaired
            let status = try Self.apply(db, command, machineId: id, at: now).status
            let notices = RepairNotices(
                machine: status.machine, brokenNote: note, postingNotice: postingNotice,
                liveNotices: try Self.liveNotices(db, at: now), at: now)
            for var notice in notices.toRetract { try Self.retract(&notice, db, at: now) }
            let posted = try notices.toPost.map { try Self.post($0, db, at: now) }
            return RepairOutcome(machine: status, notice: posted, retractedNotices: notices.toRetract.map(\.id))
        }
    }
}
