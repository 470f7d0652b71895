import Foundation

/// Someone who lives in the dorm and uses the machines.
public struct Resident: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var room: String
    public var createdAt: Date
    /// Set when an admin revoked the resident: every session ends, no new code is redeemable.
    public var revokedAt: Date?
    /// Staff look after the machines: they get `report_confirmed` alerts and see open reports.
    public var staff: Bool

    public init(id: String, name: String, room: String, createdAt: Date, revokedAt: Date? = nil, staff: Bool = false) {
        self.id = id
        self.name = name
        self.room = room
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.staff = staff
    }

    enum CodingKeys: String, CodingKey { case id, name, room, createdAt, revokedAt, staff }

    /// `staff` left out is false: exports written before it existed still import.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        room = try container.decode(String.self, forKey: .room)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        revokedAt = try container.decodeIfPresent(Date.self, forKey: .revokedAt)
        staff = try container.decodeIfPresent(Bool.self, forKey: .staff) ?? false
    }
}

/// What a resident chose about their alerts.
public struct Preferences: Codable, Sendable, Hashable {
    /// A daily period, in the dorm's local time, during which notices wait and cycle alerts are silent.
    public var quietHours: QuietHours?
    /// Alert kinds the resident does not want at all.
    public var mutedAlertKinds: [Alert.Kind]
    /// The language they chose in the app; nil follows their device, else the dorm's default.
    public var language: Language?

    public init(quietHours: QuietHours? = nil, mutedAlertKinds: [Alert.Kind] = [], language: Language? = nil) {
        self.quietHours = quietHours
        self.mutedAlertKinds = mutedAlertKinds
        self.language = language
    }

    enum CodingKeys: String, CodingKey { case quietHours, mutedAlertKinds, language }

    /// Keys left out take their defaults: preferences stored by an older version still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        quietHours = try container.decodeIfPresent(QuietHours.self, forKey: .quietHours)
        mutedAlertKinds = try container.decodeIfPresent([Alert.Kind].self, forKey: .mutedAlertKinds) ?? []
        language = try container.decodeIfPresent(Language.self, forKey: .language)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(quietHours, forKey: .quietHours)
        try container.encode(mutedAlertKinds, forKey: .mutedAlertKinds)
        try container.encode(language, forKey: .language)
    }
}

/// A daily period given as two `HH:MM` times; `start` after `end` wraps over midnight.
public struct QuietHours: Codable, Sendable, Hashable {
    public var start: String
    public var end: String

    /// - Throws: ``DeviceStateError/invalidInput(field:reason:)`` unless both are `HH:MM` and differ.
    public init(start: String, end: String) throws(DeviceStateError) {
        for (field, value) in [("quietHours.start", start), ("quietHours.end", end)] {
            guard Self.minutes(of: value) != nil else {
                throw .invalidInput(field: field, reason: .timeOfDay)
            }
        }
        guard start != end else {
            throw .invalidInput(field: "quietHours", reason: .quietHoursEmpty)
        }
        self.start = start
        self.end = end
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            start: container.decode(String.self, forKey: .start),
            end: container.decode(String.self, forKey: .end))
    }

    /// Whether `date`, read on the wall clock of `timeZone`, falls in the quiet period
    /// (start inclusive, end exclusive; a period may run over midnight, e.g. 22:00–07:00).
    public func contains(_ date: Date, in timeZone: TimeZone) -> Bool {
        guard let start = Self.minutes(of: start), let end = Self.minutes(of: end) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return start < end ? (start <= now && now < end) : (now >= start || now < end)
    }

    /// The first moment after `date` at which the quiet period ends, on the wall clock of `timeZone`.
    public func end(after date: Date, in timeZone: TimeZone) -> Date {
        guard let end = Self.minutes(of: end) else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.nextDate(
            after: date, matching: DateComponents(hour: end / 60, minute: end % 60, second: 0), matchingPolicy: .nextTime)
            ?? date
    }

    /// Minutes after midnight of an `HH:MM` time, or nil when it is not one.
    static func minutes(of time: String) -> Int? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        // Two ASCII digits each: `Int` alone would also read "+5" and "-0" (found by Tests/Fuzz).
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard parts.count == 2, parts.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy(digits.contains) }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }
}

/// A one-time code an admin hands to a resident; redeeming it opens a session.
///
/// Only the SHA-256 of the normalized code is stored.
public struct EnrollmentCode: Sendable, Hashable {
    public var residentId: String
    /// The code as printed for the resident, e.g. `7KQ2-M9XA-R4TD`.
    public var code: String
    public var expiresAt: Date

    public init(residentId: String, code: String, expiresAt: Date) {
        self.residentId = residentId
        self.code = code
        self.expiresAt = expiresAt
    }
}
