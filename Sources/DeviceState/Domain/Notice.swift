import Foundation

/// Text an admin posts for residents: a repair notice, an outage, an announcement.
public struct Notice: Codable, Sendable, Hashable {
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case info, warning, outage
    }

    public var id: String
    public var text: String
    /// The text per language (`ko`, `en`) when the admin wrote more than one
    /// (`admin notice post --text-ko … --text-en …`); readers get theirs, else ``text``.
    public var texts: [String: String]
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
        id: String, text: String, texts: [String: String] = [:], severity: Severity, location: String? = nil,
        machineIds: [String] = [], publishAt: Date, expiresAt: Date? = nil, retractedAt: Date? = nil,
        push: Bool = false, quiet: Bool = false, urgent: Bool = false, createdAt: Date
    ) {
        self.id = id
        self.text = text
        self.texts = texts
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

    enum CodingKeys: String, CodingKey {
        case id, text, texts, severity, location, machineIds, publishAt, expiresAt, retractedAt, push, quiet, urgent, createdAt
    }

    /// `texts` left out is empty: notices stored before it existed still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        text = try container.decode(String.self, forKey: .text)
        texts = try container.decodeIfPresent([String: String].self, forKey: .texts) ?? [:]
        severity = try container.decode(Severity.self, forKey: .severity)
        location = try container.decodeIfPresent(String.self, forKey: .location)
        machineIds = try container.decode([String].self, forKey: .machineIds)
        publishAt = try container.decode(Date.self, forKey: .publishAt)
        expiresAt = try container.decodeIfPresent(Date.self, forKey: .expiresAt)
        retractedAt = try container.decodeIfPresent(Date.self, forKey: .retractedAt)
        push = try container.decode(Bool.self, forKey: .push)
        quiet = try container.decode(Bool.self, forKey: .quiet)
        urgent = try container.decode(Bool.self, forKey: .urgent)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
    }

    /// Published, not expired and not retracted.
    public func isLive(at now: Date) -> Bool {
        retractedAt == nil && publishAt <= now && (expiresAt.map { now < $0 } ?? true)
    }
}
