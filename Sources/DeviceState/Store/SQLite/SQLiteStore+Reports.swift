import Foundation
import GRDB

extension SQLiteStore: ReportStore {
    public func reportProblem(machineId: String, by residentId: String, text: String, at now: Date) async throws -> ProblemReport
    {
        let text = try InputRules.reportText(text)
        return try await write { db in
            _ = try Self.machineStatus(db, machineId)
            let report = ProblemReport(
                id: Secrets.newShortID(), machineId: machineId, residentId: residentId, text: text, createdAt: now)
            try report.insert(db)
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
            return report
        }
    }
}
