import Foundation

/// A language the product speaks: Korean for the dorms it was made for, English for
/// international residents. The admin CLI and the logs stay English.
public enum Language: String, Codable, Sendable, CaseIterable {
    case korean = "ko"
    case english = "en"

    /// The first language of an `Accept-Language` header (or a `lang` parameter) that the
    /// product speaks, by quality, then order: `ko-KR,ko;q=0.9,en;q=0.8` is Korean. Nil when
    /// it names none of them.
    public init?(accepting header: some StringProtocol) {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, item -> (Language, Double, Int)? in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty else { return nil }
            let primary = tag.split(separator: "-").first.map { $0.lowercased() } ?? ""
            guard let language = Language(rawValue: primary) else { return nil }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0 ? (language, quality, index) : nil
        }
        guard let best = ranked.min(by: { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }) else { return nil }
        self = best.0
    }
}

extension Language {
    /// Whom a message without a request is written for (a push, a test notification): the
    /// resident's choice, else the language their newest device's app spoke, else the dorm's.
    public static func forResident(chosen: Language?, device: Language?, dormDefault: Language?) -> Language {
        chosen ?? device ?? dormDefault ?? .english
    }
}

/// The sentences of an alert, kept with it by key and parameters (``AlertContent``) so that
/// each reader gets them in their own language: a device in the language it asks for, a push
/// in the resident's language when it is sent.
///
/// The case names and labels are the stored form (`{"cycleDoneBody":{"machine":…}}`):
/// renaming one needs a migration of the alerts that use it.
public enum AlertText: Codable, Sendable, Hashable {
    case endingSoonTitle(machine: String)
    case endingSoonBody(machine: String, location: String, minutes: Int)
    case cycleDoneTitle(machine: String)
    case cycleDoneBody(machine: String, location: String)
    case pickupReminderTitle
    case pickupReminderBody(machine: String, location: String, minutesWaiting: Int)
    case pickupRequestTitle(machineId: String)
    case pickupRequestBody(machine: String, location: String)
    case useClosedTitle(machineId: String)
    case useClosedByBreakdownBody(machine: String, note: String?)
    case useClosedByAdminBody(machine: String)
    case useClosedByAutoReleaseBody(machine: String, minutesAfterEnd: Int)
    case noticeAlertTitle(Notice.Severity)
    case machineFreeTitle(kind: Machine.Kind)
    case machineFreeBody(machine: String, location: String, heldMinutes: Int?)
    case reportConfirmedTitle(machineId: String, residents: Int)
    case reportConfirmedBody(machine: String, location: String, latest: String)
    case machineRepairedTitle(machineId: String)
    case machineRepairedBody(machine: String, location: String, reported: Bool)
    /// A notice's own text, as the admin wrote it: one per language (``Notice/texts``),
    /// else the one text it has.
    case notice(text: String, texts: [String: String])

    /// The sentence in `language`.
    public func text(in language: Language = .english) -> String {
        switch language {
        case .english: english
        case .korean: korean
        }
    }
}

/// A sentence a person reads, by key, with the values of its placeholders: every word the
/// server says to residents and to API clients is one of these cases.
///
/// The case names the sentence, its associated values are its parameters, and
/// ``text(in:)`` renders it from the catalogue of a language (`Catalogue+English.swift`).
/// A second language is a second exhaustive `switch`: the compiler names every sentence it
/// lacks. Errors carry messages to the edges (problem documents, error frames, the CLI),
/// which render them; what is stored (alert texts, the notices the system writes, a push
/// message's last error) is rendered when it is created, in English for now.
///
/// The admin CLI's own help and messages are not in the catalogue: they stay English.
public enum Message: Sendable, Hashable {
    // MARK: Notices the system writes
    case outageNotice(machine: String, note: String)
    case backInServiceNotice(machine: String)

    // MARK: What the domain refuses (problem details, CLI errors)
    case machineNotFound(id: String)
    case useNotFound(id: String)
    case alertNotFound(id: String)
    case residentNotFound(id: String)
    case noticeNotFound(id: String)
    case reportNotFound(id: String)
    case machineBusy(machineId: String, endsAt: Date?)
    case machineBroken(machineId: String, note: String?)
    case machineNotInUse(machineId: String, state: Machine.State)
    case machineNotBroken(machineId: String, state: Machine.State)
    case machineStillRunning(machineId: String, endsAt: Date)
    case machineHasNoFinishedCycle(machineId: String, state: Machine.State)
    case machineExists(id: String)
    case noticeAlreadyRetracted(id: String)
    case reportAlreadyResolved(id: String)
    case machineHeld(machineId: String, until: Date)
    case alreadyWaiting(kind: Machine.Kind)
    case waitlistEntryNotFound(id: String)
    case kioskNotFound(id: String)
    case notUseOwner
    case useAlreadyClosed(Use.CloseReason?)
    case cancelWindowPassed(minutes: Int)
    case ownLaundry
    case enrollmentCodeInvalid
    case residentRevoked(id: String)
    case tooManyPushSubscriptions(limit: Int)
    case invalidInput(field: String, reason: InputProblem)
    case idempotencyKeyReused
    case rateLimited(RateLimit, retryAfterSeconds: Int)

    // MARK: Requests the server cannot take (problem details, error frames)
    case signInFirst
    case kioskReadOnly
    case kioskTokenInvalid
    case kioskOnly
    case staffOnly
    case bearerFormat
    case sessionTokenMalformed
    case sessionEnded
    case foreignOriginForCookie(origin: String)
    case foreignOriginForLive(origin: String)
    case sinceNotASequenceNumber
    case idempotencyKeyFormat(maxLength: Int)
    case bodyNotJSONMediaType
    case bodyNotJSON
    case bodyNotJSONObject
    case missingField(path: String)
    case fieldType(path: String, expected: JSONValueKind)
    case fieldNull(path: String, expected: JSONValueKind)
    case fieldValueNotAllowed(path: String)
    case bodyTooLarge
    case noSuchResource(method: String, path: String)
    case methodNotAllowed(method: String, allowed: String)
    case internalError
    case databaseUnavailable
    case databaseBusy
    case databaseNotWritable
    case requestTimedOut
    case requestNotHTTP
    case tooManyConnections
    case tooManyLiveConnections(limit: Int)
    case resourceMissing(String)
    case pushNotConfigured
    case testNotificationTitle
    case testNotificationBody
    case liveFrameNotJSON
    case liveAckMalformed
    case liveUnknownType

    // MARK: Push outbox (what `admin push list` shows as a message's last error)
    case pushExpiredUnsent
    case pushSubscriptionUnknownToService
    case pushResidentUnsubscribed
    case pushSubscriptionGone
    case pushKeyReplaced
    case pushTopicInvalid
    case pushNoAnswer(milliseconds: Int64)
    case pushSubscriptionUnusable(String)

    /// A JSON type, as a field's expected value is named in a problem detail.
    public enum JSONValueKind: Sendable, Hashable {
        case string, number, boolean, array, object
    }

    /// The sentence in `language`.
    public func text(in language: Language = .english) -> String {
        switch language {
        case .english: english
        case .korean: korean
        }
    }
}

extension InputProblem {
    /// The reason in `language`.
    public func text(in language: Language = .english) -> String {
        switch language {
        case .english: english
        case .korean: korean
        }
    }
}
