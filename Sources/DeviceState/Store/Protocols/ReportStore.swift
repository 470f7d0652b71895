import Foundation

/// Residents' problem reports, and admins resolving them.
public protocol ReportStore: Sendable {
    func reportProblem(machineId: String, by residentId: String, text: String, at now: Date) async throws -> ProblemReport
    /// Newest first; only unresolved ones when `openOnly`.
    func reports(openOnly: Bool) async throws -> [ProblemReport]
    func resolveReport(_ id: String, resolution: String?, at now: Date) async throws -> ProblemReport
}
