import Foundation
import GRDB

extension SQLiteStore: ReportStore {
    public func reportProblem(machineId: String, by residentId: String, text: String, at now: Date) async throws -> ProblemReport
    {
        let text = try InputRules.reportText(text)
        return try await write { db in
            let status = try Self.machineStatus(db, machineId)
            let report = ProblemReport(
                id: Secrets.newShortID(), machineId: machineId, residentId: residentId, text: text, createdAt: now)
            try report.insert(db)
            let outcome = try Self.crowdReports(db).afterReport(
                openReports: try Self.openReports(db, machineId: machineId), reportedBy: status.machine.reportedBy, at: now)
            var machine = status.machine
            machine.reportedBy = outcome.reportedBy
            if machine != status.machine { try Self.change(db, to: MachineStatus(machine: machine, use: status.use), at: now) }
            if outcome.confirmsNow {
                for staffId in try Self.staffIds(db) {
                    try Self.createAlert(db, .reportConfirmed(report, machine: machine, for: staffId, at: now))
                }
            }
            return report
        }
    }

    public func reports(openOnly: Bool) async throws -> [ProblemReport] {
        try await pool.read { db in
            try ProblemReport.fetchAll(
                db,
                sql: "SELECT * FROM reports \(openOnly ? "WHERE resolvedAt IS NULL" : "") ORDER BY createdAt DESC, id")
        }
    }

    public func resolveReport(_ id: String, resolution: String?, at now: Date) async throws -> ProblemReport {
        try await write { db in
            guard var report = try ProblemReport.fetchOne(db, key: id) else { throw DeviceStateError.reportNotFound(id: id) }
            guard report.resolvedAt == nil else { throw DeviceStateError.reportResolved(id: id) }
            report.resolvedAt = now
            report.resolution = resolution
            try report.update(db)
            // A removed machine's reports can still be resolved; it is on no board.
            if let status = try? Self.machineStatus(db, report.machineId) {
                var machine = status.machine
                machine.reportedBy = CrowdReports.afterResolving(
                    openReports: try Self.openReports(db, machineId: machine.id), reportedBy: machine.reportedBy)
                if machine != status.machine {
                    try Self.change(db, to: MachineStatus(machine: machine, use: status.use), at: now)
                }
            }
            return report
        }
    }

    // MARK: Inside a transaction

    static func openReports(_ db: Database, machineId: String) throws -> [ProblemReport] {
        try ProblemReport.fetchAll(
            db, sql: "SELECT * FROM reports WHERE machineId = ? AND resolvedAt IS NULL ORDER BY createdAt, id",
            arguments: [machineId])
    }

    static func crowdReports(_ db: Database) throws -> CrowdReports {
        CrowdReports(
            confirmationsSetting: try setting(db, .reportConfirmations),
            windowHoursSetting: try setting(db, .reportWindowHours))
    }

    /// A repair resolves the machine's open reports and tells their reporters, and the
    /// residents waiting for a machine like it, that it works again.
    static func announceRepair(_ db: Database, of machine: Machine, at now: Date) throws {
        let reports = try openReports(db, machineId: machine.id)
        try db.execute(
            sql: "UPDATE reports SET resolvedAt = ?, resolution = ? WHERE machineId = ? AND resolvedAt IS NULL",
            arguments: [now, ProblemReport.repairedResolution, machine.id])
        for alert in Alert.workingAgain(machine, openReports: reports, waiting: try waiting(db, kind: machine.kind), at: now) {
            try createAlert(db, alert)
        }
    }
}
