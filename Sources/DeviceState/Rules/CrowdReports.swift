import Foundation

/// When residents' problem reports about a machine are believed: once enough different
/// residents report it within a few hours.
///
/// One report may be a misunderstanding; two residents who did not talk to each other are
/// rarely both wrong. So the board says nothing about a single report. Once
/// ``confirmations`` different residents have open reports on one machine made within
/// ``window`` of each other, the machine is crowd-confirmed: its ``Machine/reportedBy``
/// counts the residents with open reports, the board shows "reported by N residents" and
/// every staff resident gets a `report_confirmed` alert. It stays confirmed while any report
/// is open; the repair resolves them all (see ``Alert/machineRepaired(_:for:reported:at:)``).
public struct CrowdReports: Sendable, Hashable {
    public static let confirmationsRange = 1...20
    public static let windowHoursRange = 1...72

    /// Different residents needed (`serve --report-confirmations`, default 2).
    public var confirmations = 2
    /// How many hours apart their reports may be (`serve --report-window-hours`, default 3).
    public var windowHours = 3

    public var window: TimeInterval { TimeInterval(windowHours * 3600) }

    public init() {}

    /// The rule as `serve` stored it (``SettingKey/reportConfirmations``,
    /// ``SettingKey/reportWindowHours``); a setting missing or unreadable keeps its default.
    public init(confirmationsSetting: String?, windowHoursSetting: String?) {
        if let confirmations = confirmationsSetting.flatMap(Int.init) { self.confirmations = confirmations }
        if let windowHours = windowHoursSetting.flatMap(Int.init) { self.windowHours = windowHours }
    }

    /// What a new report does to its machine.
    public struct Outcome: Sendable, Hashable {
        /// The machine's new ``Machine/reportedBy``.
        public var reportedBy: Int?
        /// Whether this report confirmed the machine: staff are to be told.
        public var confirmsNow: Bool
    }

    /// - Parameters:
    ///   - openReports: the machine's unresolved reports, the new one among them.
    ///   - reportedBy: the machine's ``Machine/reportedBy`` before the new report.
    public func afterReport(openReports: [ProblemReport], reportedBy: Int?, at now: Date) -> Outcome {
        let reporters = Set(openReports.map(\.residentId)).count
        if reportedBy != nil { return Outcome(reportedBy: reporters, confirmsNow: false) }
        let recent = Set(openReports.filter { now.timeIntervalSince($0.createdAt) < window }.map(\.residentId))
        return recent.count >= confirmations
            ? Outcome(reportedBy: reporters, confirmsNow: true) : Outcome(reportedBy: nil, confirmsNow: false)
    }

    /// The machine's ``Machine/reportedBy`` once an admin resolved one of its reports: still
    /// confirmed while others are open.
    public static func afterResolving(openReports: [ProblemReport], reportedBy: Int?) -> Int? {
        let reporters = Set(openReports.map(\.residentId)).count
        return reportedBy == nil || reporters == 0 ? nil : reporters
    }
}

extension SettingKey {
    /// ``CrowdReports/confirmations``, set by `serve`.
    public static let reportConfirmations = SettingKey(rawValue: "report_confirmations")
    /// ``CrowdReports/window`` in hours, set by `serve`.
    public static let reportWindowHours = SettingKey(rawValue: "report_window_hours")
}
