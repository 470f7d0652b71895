import DeviceState
import Foundation
import Testing

/// The Korean and English catalogues say the same things: every sentence exists in both (the
/// compiler checks that: each language is an exhaustive `switch`), and every value a sentence
/// carries shows in both. The samples hold one of every case; a test fails when a case is
/// added to `Catalogue.swift` without one.
@Suite("Korean and English: the two catalogues")
struct CatalogueLanguagesTests {
    static let alertSamples: [AlertText] = [
        .endingSoonTitle(machine: "Mx-1"),
        .endingSoonBody(machine: "Mx-1", location: "Lx-2", minutes: 17),
        .cycleDoneTitle(machine: "Mx-1"),
        .cycleDoneBody(machine: "Mx-1", location: "Lx-2"),
        .pickupReminderTitle,
        .pickupReminderBody(machine: "Mx-1", location: "Lx-2", minutesWaiting: 23),
        .pickupRequestTitle(machineId: "Q7"),
        .pickupRequestBody(machine: "Mx-1", location: "Lx-2"),
        .useClosedTitle(machineId: "Q7"),
        .useClosedByBreakdownBody(machine: "Mx-1", note: "Nx-3"),
        .useClosedByAdminBody(machine: "Mx-1"),
        .useClosedByAutoReleaseBody(machine: "Mx-1", minutesAfterEnd: 131),
        .noticeAlertTitle(.outage),
        .machineFreeTitle(kind: .dryer),
        .machineFreeBody(machine: "Mx-1", location: "Lx-2", heldMinutes: 19),
        .reportConfirmedTitle(machineId: "Q7", residents: 3),
        .reportConfirmedBody(machine: "Mx-1", location: "Lx-2", latest: "Rx-4"),
        .machineRepairedTitle(machineId: "Q7"),
        .machineRepairedBody(machine: "Mx-1", location: "Lx-2", reported: true),
        .notice(text: "Tx-5", texts: [:]),
    ]

    static let at = Date(timeIntervalSince1970: 1_800_000_000)
    static let messageSamples: [Message] = [
        .outageNotice(machine: "Mx-1", note: "Nx-3"),
        .backInServiceNotice(machine: "Mx-1"),
        .machineNotFound(id: "Ix-6"),
        .useNotFound(id: "Ix-6"),
        .alertNotFound(id: "Ix-6"),
        .residentNotFound(id: "Ix-6"),
        .noticeNotFound(id: "Ix-6"),
        .reportNotFound(id: "Ix-6"),
        .machineBusy(machineId: "Q7", endsAt: at),
        .machineBroken(machineId: "Q7", note: "Nx-3"),
        .machineNotInUse(machineId: "Q7", state: .broken),
        .machineNotBroken(machineId: "Q7", state: .idle),
        .machineStillRunning(machineId: "Q7", endsAt: at),
        .machineHasNoFinishedCycle(machineId: "Q7", state: .idle),
        .machineExists(id: "Ix-6"),
        .noticeAlreadyRetracted(id: "Ix-6"),
        .reportAlreadyResolved(id: "Ix-6"),
        .machineHeld(machineId: "Q7", until: at),
        .alreadyWaiting(kind: .washer),
        .waitlistEntryNotFound(id: "Ix-6"),
        .kioskNotFound(id: "Ix-6"),
        .notUseOwner,
        .useAlreadyClosed(.collected),
        .cancelWindowPassed(minutes: 11),
        .ownLaundry,
        .enrollmentCodeInvalid,
        .residentRevoked(id: "Ix-6"),
        .tooManyPushSubscriptions(limit: 13),
        .invalidInput(field: "Fx-7", reason: .range(3...29)),
        .idempotencyKeyReused,
        .rateLimited(.reports(.init(count: 5, minutes: 61)), retryAfterSeconds: 37),
        .signInFirst,
        .kioskReadOnly,
        .kioskTokenInvalid,
        .kioskOnly,
        .staffOnly,
        .bearerFormat,
        .sessionTokenMalformed,
        .sessionEnded,
        .foreignOriginForCookie(origin: "https://Ox-8.example"),
        .foreignOriginForLive(origin: "https://Ox-8.example"),
        .sinceNotASequenceNumber,
        .idempotencyKeyFormat(maxLength: 255),
        .bodyNotJSONMediaType,
        .bodyNotJSON,
        .bodyNotJSONObject,
        .missingField(path: "Px-9"),
        .fieldType(path: "Px-9", expected: .number),
        .fieldNull(path: "Px-9", expected: .array),
        .fieldValueNotAllowed(path: "Px-9"),
        .bodyTooLarge,
        .noSuchResource(method: "GET", path: "/Px-9"),
        .methodNotAllowed(method: "PATCH", allowed: "GET, POST"),
        .internalError,
        .databaseUnavailable,
        .databaseBusy,
        .databaseNotWritable,
        .requestTimedOut,
        .requestNotHTTP,
        .tooManyConnections,
        .tooManyLiveConnections(limit: 8),
        .resourceMissing("Zx-10"),
        .pushNotConfigured,
        .testNotificationTitle,
        .testNotificationBody,
        .liveFrameNotJSON,
        .liveAckMalformed,
        .liveUnknownType,
        .pushExpiredUnsent,
        .pushSubscriptionUnknownToService,
        .pushResidentUnsubscribed,
        .pushSubscriptionGone,
        .pushKeyReplaced,
        .pushTopicInvalid,
        .pushNoAnswer(milliseconds: 5003),
        .pushSubscriptionUnusable("Ux-11"),
    ]

    /// The case names an enum of `Catalogue.swift` declares.
    static func declaredCases(of enumName: String) throws -> Set<String> {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../Sources/DeviceState/Rules/Catalogue.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        let body = try #require(text.components(separatedBy: "public enum \(enumName):").dropFirst().first)
        // The cases end where the enum's nested types or its `text(in:)` begin.
        let end = ["\n    /// A JSON type", "\n    /// The sentence in"].compactMap { body.range(of: $0)?.lowerBound }.min()
        let declarations = body[..<(end ?? body.endIndex)]
        let names = declarations.split(separator: "\n").compactMap { line -> String? in
            let line = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("case ") else { return nil }
            return String(line.dropFirst(5).prefix { $0.isLetter || $0.isNumber })
        }
        return Set(names)
    }

    /// The case's name, as `Mirror` tells it.
    static func caseName(_ value: Any) -> String {
        Mirror(reflecting: value).children.first?.label ?? String(describing: value)
    }

    /// The strings and whole numbers a value carries, however deep: what a sentence must show.
    static func shownValues(_ value: Any) -> [String] {
        switch value {
        case let text as String: [text]
        case let number as Int: [String(number)]
        case let number as Int64: [String(number)]
        case is Date, is Bool: []
        default: Mirror(reflecting: value).children.flatMap { shownValues($0.value) }
        }
    }

    @Test("one sample of every alert sentence and message: a new case needs one here")
    func samplesCoverTheCatalogue() throws {
        #expect(Set(Self.alertSamples.map(Self.caseName)) == (try Self.declaredCases(of: "AlertText")))
        #expect(Set(Self.messageSamples.map(Self.caseName)) == (try Self.declaredCases(of: "Message")))
    }

    @Test("every value a sentence carries shows in Korean as in English", arguments: Language.allCases)
    func placeholdersMatch(_ language: Language) {
        for sample in Self.alertSamples {
            let text = sample.text(in: language)
            for value in Self.shownValues(sample) {
                #expect(text.contains(value), "\(Self.caseName(sample)) in \(language) lacks \(value): \(text)")
            }
        }
        for sample in Self.messageSamples {
            let text = sample.text(in: language)
            for value in Self.shownValues(sample) {
                #expect(text.contains(value), "\(Self.caseName(sample)) in \(language) lacks \(value): \(text)")
            }
        }
    }

    @Test("what residents read in Korean has no English words left, besides the names given")
    func koreanReadsKorean() {
        // Messages for API clients and the admin CLI may name a header or a command.
        let technical: Set<String> = [
            "bearerFormat", "idempotencyKeyReused", "idempotencyKeyFormat", "bodyNotJSONMediaType", "bodyNotJSON",
            "bodyNotJSONObject", "fieldNull", "fieldType", "sinceNotASequenceNumber", "kioskOnly", "pushNotConfigured",
            "liveFrameNotJSON", "liveAckMalformed", "liveUnknownType", "requestNotHTTP", "methodNotAllowed",
            "noSuchResource", "foreignOriginForCookie", "foreignOriginForLive", "resourceMissing", "pushExpiredUnsent",
            "pushSubscriptionUnknownToService", "pushResidentUnsubscribed", "pushSubscriptionGone", "pushKeyReplaced",
            "pushTopicInvalid", "pushNoAnswer", "pushSubscriptionUnusable",
        ]
        let texts =
            Self.alertSamples.map { ($0.text(in: .korean), Self.shownValues($0)) }
            + Self.messageSamples.filter { !technical.contains(Self.caseName($0)) }.map {
                ($0.text(in: .korean), Self.shownValues($0))
            }
        for (text, values) in texts {
            let remaining = values.reduce(text) { $0.replacingOccurrences(of: $1, with: "") }
            #expect(remaining.range(of: "[A-Za-z]{2,}", options: .regularExpression) == nil, "\(text)")
        }
    }

    @Test("Accept-Language: the best product language by quality, then order; none when none is offered")
    func acceptLanguage() {
        #expect(Language(accepting: "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7") == .korean)
        #expect(Language(accepting: "en-GB, ko;q=0.5") == .english)
        #expect(Language(accepting: "fr-FR,fr;q=0.9,ko;q=0.4,en;q=0.3") == .korean)
        #expect(Language(accepting: "en;q=0.2, KO;q=0.8") == .korean)
        #expect(Language(accepting: "ko;q=0, en") == .english, "q=0 means not wanted")
        #expect(Language(accepting: "de, fr") == nil)
        #expect(Language(accepting: "") == nil)
        #expect(Language.forResident(chosen: nil, device: .korean, dormDefault: .english) == .korean)
        #expect(Language.forResident(chosen: .english, device: .korean, dormDefault: .korean) == .english)
        #expect(Language.forResident(chosen: nil, device: nil, dormDefault: nil) == .english)
    }

    @Test("an alert keeps its sentences by key: each reader gets theirs, the CLI English")
    func alertsRenderPerReader() throws {
        let machine = Machine(id: "W1", kind: .washer, label: "세탁기 1", location: "A동", cycleMinutes: 45, updatedAt: Self.at)
        let use = Use(
            id: "u", machineId: "W1", residentId: "r", startedAt: Self.at, endsAt: Self.at, closedAt: Self.at,
            closeReason: .cleared)
        let alert = Alert.useClosed(use, machine: machine, at: Self.at)
        #expect(alert.title == "W1: your use has ended", "stored in English")
        #expect(alert.rendered(in: .korean).title == "W1 사용이 종료됐어요")
        #expect(alert.rendered(in: .korean).body == "관리자가 세탁기 1 사용을 종료했어요. 세탁물을 찾아가 주세요.")
        let stored = try JSONDecoder().decode(Alert.self, from: try JSONEncoder().encode(alert))
        #expect(stored.rendered(in: .korean) == alert.rendered(in: .korean), "the key and parameters survive storage")
        var old = alert
        old.content = nil
        #expect(old.rendered(in: .korean).title == alert.title, "an alert stored as text keeps its text")
    }
}
