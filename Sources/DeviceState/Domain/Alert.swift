import Foundation

/// A personal message to one resident, created once per ``dedupeKey``.
public struct Alert: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case endingSoon = "ending_soon"
        case cycleDone = "cycle_done"
        case pickupRequest = "pickup_request"
        case pickupReminder = "pickup_reminder"
        case useClosed = "use_closed"
        case notice
        case machineFree = "machine_free"
        /// To staff: enough residents reported a machine (``CrowdReports``).
        case reportConfirmed = "report_confirmed"
        /// To a machine's reporters and the waiters for its kind: it was repaired.
        case machineRepaired = "machine_repaired"
    }

    public var id: String
    public var residentId: String
    public var kind: Kind
    public var title: String
    public var body: String
    public var machineId: String?
    public var useId: String?
    /// Two alerts with the same key are the same alert: the second is never created.
    public var dedupeKey: String
    public var at: Date
    /// The title and body by key and parameters, for each reader's language (``rendered(in:)``).
    /// `title` and `body` hold them in English, for the admin CLI; nil for alerts stored
    /// before alerts kept it.
    public var content: AlertContent?

    public init(
        id: String, residentId: String, kind: Kind, title: String, body: String,
        machineId: String?, useId: String?, dedupeKey: String, at: Date, content: AlertContent? = nil
    ) {
        self.id = id
        self.residentId = residentId
        self.kind = kind
        self.title = title
        self.body = body
        self.machineId = machineId
        self.useId = useId
        self.dedupeKey = dedupeKey
        self.at = at
        self.content = content
    }

    /// The alert with its title and body in `language`.
    public func rendered(in language: Language) -> Alert {
        guard let content else { return self }
        var alert = self
        alert.title = content.title.text(in: language)
        alert.body = content.body.text(in: language)
        return alert
    }
}

/// An alert's sentences as they are stored: by key and parameters.
public struct AlertContent: Codable, Sendable, Hashable {
    public var title: AlertText
    public var body: AlertText

    public init(title: AlertText, body: AlertText) {
        self.title = title
        self.body = body
    }
}

/// A resident's report that something is wrong with a machine.
public struct ProblemReport: Codable, Sendable, Hashable {
    /// The resolution of the reports a repair resolved.
    public static let repairedResolution = "machine repaired"

    public var id: String
    public var machineId: String
    public var residentId: String
    public var text: String
    public var createdAt: Date
    public var resolvedAt: Date?
    public var resolution: String?

    public init(
        id: String, machineId: String, residentId: String, text: String, createdAt: Date,
        resolvedAt: Date? = nil, resolution: String? = nil
    ) {
        self.id = id
        self.machineId = machineId
        self.residentId = residentId
        self.text = text
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
        self.resolution = resolution
    }
}
