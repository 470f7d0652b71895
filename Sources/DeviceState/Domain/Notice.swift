import Foundation

/// Text an admin posts for residents: a repair notice, an outage, an announcement.
public struct Notice: Codable, Sendable, Hashable {
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case info, warning, outage
    }

    public var id: String
    public var text: String
    public var severity: Severity
    /// When set, the notice concerns only the machines at this location.
    public var location: String?
    /// When not empty, the notice concerns only these machines.
    public var machineIds: [String]
    public var publishAt: Date
    public var expiresAt: Date?
    public var retractedAt: Date?
    /// Also sent as Web Push.
    public var push: Bool
    /// Pushed without sound or vibration.
    public var quiet: Bool
    /// Pushed even during a resident's quiet hours.
    public var urgent: Bool
    public var createdAt: Date

    public init(
        id: String, text: String, severity: Severity, location: String? = nil, machineIds: [String] = [],
        publishAt: Date, expiresAt: Date? = nil, retractedAt: Date? = nil,
        push: Bool = false, quiet: Bool = false, urgent: Bool = false, createdAt: Date
    ) {
        self.id = id
        self.text = text
        self.severity = severity
        self.location = location
        self.machineIds = machineIds
        self.publishAt = publishAt
        self.expiresAt = expiresAt
        self.retractedAt = retractedAt
        self.push = push
        self.quiet = quiet
        self.urgent = urgent
        self.createdAt = createdAt
    }

    /// Published, not expired and not retracted.
    public func isLive(at now: Date) -> Bool {
        retractedAt == nil && publishAt <= now && (expiresAt.map { now < $0 } ?? true)
    }
}
