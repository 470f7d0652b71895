import Foundation

/// Why an input value was refused: the second half of ``DeviceStateError/invalidInput(field:reason:)``.
public enum InputProblem: Sendable, Hashable {
    case machineIdFormat
    case cycleMinutes(ClosedRange<Int>)
    case length(ClosedRange<Int>)
    /// A whole number in the range.
    case range(ClosedRange<Int>)
    /// A list of so many items.
    case count(ClosedRange<Int>)
    case reportLength(ClosedRange<Int>)
    case noticeExpiresBeforePublished
    case timeOfDay
    case quietHoursEmpty
    case missing
    /// A waitlist for a kind of machine the dorm (or that location) does not have.
    case noSuchMachines
    case pushEndpointNotAURL
    case pushEndpointScheme(String)
    case pushEndpointCredentials
    case pushEndpointHost(String)
    case pushAuthSecret
    case pushKeyEncoding
    case pushKeyNotOnCurve
}

/// What residents and admins may enter. Each check returns the value as it is stored
/// (trimmed) or throws ``DeviceStateError/invalidInput(field:reason:)`` naming the field.
public enum InputRules {
    public static let labelLength = 1...80
    public static let nameLength = 1...80
    public static let roomLength = 1...20
    public static let noticeLength = 1...500
    public static let reportLength = 1...1000
    /// What an admin writes when marking a machine broken.
    public static let brokenNoteLength = 1...200
    /// What an admin writes when resolving a report.
    public static let resolutionLength = 0...500
    /// Longer than any code `admin resident add` prints, typed with spaces and dashes.
    public static let enrollmentCodeLength = 1...64

    /// A machine as an admin adds it: a printable id, a cycle length, a label and a location (trimmed).
    public static func machine(_ machine: Machine) throws(DeviceStateError) -> Machine {
        guard Machine.isValidID(machine.id) else { throw .invalidInput(field: "id", reason: .machineIdFormat) }
        try cycleMinutes(machine.cycleMinutes)
        var machine = machine
        machine.label = try text(machine.label, field: "label", length: labelLength)
        machine.location = try text(machine.location, field: "location", length: labelLength)
        return machine
    }

    /// A kiosk's name and the location it shows (nil or blank: every location), trimmed.
    public static func kiosk(name: String, location: String?) throws(DeviceStateError) -> (name: String, location: String?) {
        let name = try text(name, field: "name", length: labelLength)
        guard let location, !location.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return (name, nil) }
        return (name, try text(location, field: "location", length: labelLength))
    }

    /// A cycle length a resident or admin chose.
    public static func cycleMinutes(_ minutes: Int) throws(DeviceStateError) {
        guard Machine.cycleMinutesRange.contains(minutes) else {
            throw .invalidInput(field: "minutes", reason: .cycleMinutes(Machine.cycleMinutesRange))
        }
    }

    /// A new resident's name and room, trimmed.
    public static func resident(name: String, room: String) throws(DeviceStateError) -> (name: String, room: String) {
        (try text(name, field: "name", length: nameLength), try text(room, field: "room", length: roomLength))
    }

    /// A notice as posted: its text trimmed, and an end after its start.
    public static func notice(_ notice: Notice) throws(DeviceStateError) -> Notice {
        var notice = notice
        notice.text = try text(notice.text, field: "text", length: noticeLength)
        for (code, value) in notice.texts {
            guard Language(rawValue: code) != nil else { throw .invalidInput(field: "texts", reason: .missing) }
            notice.texts[code] = try text(value, field: "text-\(code)", length: noticeLength)
        }
        if let expiresAt = notice.expiresAt, expiresAt <= notice.publishAt {
            throw .invalidInput(field: "expires", reason: .noticeExpiresBeforePublished)
        }
        return notice
    }

    /// A resident's description of a problem, trimmed.
    public static func reportText(_ text: String) throws(DeviceStateError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reportLength.contains(trimmed.count) else {
            throw .invalidInput(field: "text", reason: .reportLength(reportLength))
        }
        return trimmed
    }

    private static func text(_ value: String, field: String, length: ClosedRange<Int>) throws(DeviceStateError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard length.contains(trimmed.count) else { throw .invalidInput(field: field, reason: .length(length)) }
        return trimmed
    }
}
