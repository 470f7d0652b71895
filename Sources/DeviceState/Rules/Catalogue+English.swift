import Foundation

// The English catalogue: every sentence of ``AlertText`` and ``Message`` as residents and
// API clients read it.

extension AlertText {
    var english: String {
        switch self {
        case .endingSoonTitle(let machine): "\(machine) is almost done"
        case .endingSoonBody(let machine, let location, let minutes):
            "Your laundry in \(machine) (\(location)) is done in \(minutes) min."
        case .cycleDoneTitle(let machine): "\(machine) is done"
        case .cycleDoneBody(let machine, let location): "Your laundry in \(machine) (\(location)) is ready to collect."
        case .pickupReminderTitle: "Your laundry is waiting"
        case .pickupReminderBody(let machine, let location, let minutes):
            "Your laundry has been in \(machine) (\(location)) for \(minutes) min since it finished."
        case .pickupRequestTitle(let machineId): "Someone is waiting for \(machineId)"
        case .pickupRequestBody(let machine, let location): "Your laundry in \(machine) (\(location)) is done. Please collect it."
        case .useClosedTitle(let machineId): "\(machineId): your use has ended"
        case .useClosedByBreakdownBody(let machine, let note):
            "\(machine) was marked out of order\(note.map { ": \($0)" } ?? ""). Please collect your laundry."
        case .useClosedByAdminBody(let machine): "An admin ended your use of \(machine). Please collect your laundry."
        case .useClosedByAutoReleaseBody(let machine, let minutes):
            "\(machine) was marked free for others: your cycle ended \(minutes) minutes ago and nobody collected. Please fetch your laundry."
        case .noticeAlertTitle(let severity):
            switch severity {
            case .info: "Laundry notice"
            case .warning: "Laundry warning"
            case .outage: "Laundry outage"
            }

        case .machineFreeTitle(let kind):
            switch kind {
            case .washer: "A washer is free"
            case .dryer: "A dryer is free"
            case .other: "A machine is free"
            }
        case .machineFreeBody(let machine, let location, let heldMinutes):
            "\(machine) (\(location)) is free"
                + (heldMinutes.map { ", kept for you for \($0) min." } ?? ". Start it before someone else does.")
        case .reportConfirmedTitle(let machineId, let residents): "\(machineId) reported by \(residents) residents"
        case .reportConfirmedBody(let machine, let location, let latest): "\(machine) (\(location)), latest report: \(latest)"
        case .machineRepairedTitle(let machineId): "\(machineId) is working again"
        case .machineRepairedBody(let machine, let location, let reported):
            "\(machine) (\(location)) has been repaired." + (reported ? " Thank you for reporting it." : "")
        case .notice(let text, let texts): texts[Language.english.rawValue] ?? text
        }
    }
}

extension Message {
    var english: String {
        switch self {
        case .outageNotice(let machine, let note): "\(machine) is out of order: \(note)"
        case .backInServiceNotice(let machine): "\(machine) is back in service."

        case .machineNotFound(let id): "There is no machine \(id.quotedForMessage)."
        case .useNotFound(let id): "There is no use \(id.quotedForMessage)."
        case .alertNotFound(let id): "There is no alert \(id.quotedForMessage) of yours."
        case .residentNotFound(let id): "There is no resident \(id.quotedForMessage)."
        case .noticeNotFound(let id): "There is no notice \(id.quotedForMessage)."
        case .reportNotFound(let id): "There is no report \(id.quotedForMessage)."
        case .machineBusy(let id, let endsAt): "\(id) is in use\(endsAt.map { " (its cycle ends \($0.iso8601))" } ?? "")."
        case .machineBroken(let id, let note): "\(id) is out of order\(note.map { ": \($0)" } ?? "")."
        case .machineNotInUse(let id, let state): "\(id) is not in use (it is \(state.rawValue))."
        case .machineNotBroken(let id, let state): "\(id) is not broken (it is \(state.rawValue))."
        case .machineStillRunning(let id, let endsAt): "\(id) is still running until \(endsAt.iso8601); ask once it is done."
        case .machineHasNoFinishedCycle(let id, let state):
            "\(id) has no finished cycle waiting for pickup (it is \(state.rawValue))."
        case .machineExists(let id): "A machine \(id.quotedForMessage) already exists."
        case .noticeAlreadyRetracted(let id): "Notice \(id.quotedForMessage) was already retracted."
        case .reportAlreadyResolved(let id): "Report \(id.quotedForMessage) was already resolved."
        case .machineHeld(let id, let until):
            "\(id) is kept for a resident who was waiting for it, until \(until.iso8601)."
        case .alreadyWaiting(let kind): "You are already waiting for a \(kind.rawValue); leave that entry first to change it."
        case .waitlistEntryNotFound(let id): "There is no waitlist entry \(id.quotedForMessage) of yours."
        case .kioskNotFound(let id): "There is no kiosk \(id.quotedForMessage)."
        case .notUseOwner: "This use belongs to another resident."
        case .useAlreadyClosed(let reason): "This use has already ended (\(reason?.rawValue ?? "closed"))."
        case .cancelWindowPassed(let minutes): "A use can be cancelled only in its first \(minutes) minutes; collect it instead."
        case .ownLaundry: "This is your own laundry."
        case .enrollmentCodeInvalid: "This enrollment code is unknown, already used or expired; ask an admin for a new one."
        case .residentRevoked(let id): "Resident \(id.quotedForMessage) has been revoked."
        case .tooManyPushSubscriptions(let limit):
            "A resident can have at most \(limit) devices with notifications on; turn them off on one you no longer use."
        case .invalidInput(let field, let reason): "Invalid \(field): \(reason.english)."
        case .idempotencyKeyReused:
            "This Idempotency-Key was already used for a different request; use a new key for a new request."
        case .rateLimited(let limit, let seconds): "\(limit.english) Try again in \(seconds) s."

        case .kioskReadOnly: "A kiosk shows the board; it cannot change anything."
        case .kioskOnly: "Only a kiosk has this; a resident's app reads /api/me."
        case .staffOnly: "Only staff see the open reports; an admin makes a resident staff."
        case .kioskTokenInvalid: "This kiosk link is unknown or was revoked; ask an admin for a new one."
        case .signInFirst: "Sign in with an enrollment code first."
        case .bearerFormat: "Use 'Authorization: Bearer <token>'."
        case .sessionTokenMalformed: "The session token is not valid; sign in again."
        case .sessionEnded: "The session has ended or was revoked; sign in again."
        case .foreignOriginForCookie(let origin): "Requests signed with the session cookie must come from \(origin)."
        case .foreignOriginForLive(let origin): "Live updates are served to pages of \(origin) only."
        case .sinceNotASequenceNumber: "since must be an event sequence number."
        case .idempotencyKeyFormat(let maxLength): "Idempotency-Key must be 1 to \(maxLength) visible ASCII characters."
        case .bodyNotJSONMediaType: "Send the body as application/json."
        case .bodyNotJSON: "The body is not valid JSON."
        case .bodyNotJSONObject: "The body must be a JSON object."
        case .missingField(let path): "Missing field '\(path)'."
        case .fieldType(let path, let expected): "Field '\(path)' must be \(expected.english)."
        case .fieldNull(let path, let expected): "Field '\(path)' must be \(expected.english), not null."
        case .fieldValueNotAllowed(let path): "Field '\(path)' has a value that is not allowed."
        case .bodyTooLarge: "The request body is too large."
        case .noSuchResource(let method, let path): "No such resource: \(method) \(path)."
        case .methodNotAllowed(let method, let allowed): "\(method) is not allowed here; use \(allowed)."
        case .internalError: "The server failed to answer; the error is logged."
        case .databaseUnavailable: "The database cannot be read."
        case .databaseBusy: "The database is busy with another change; nothing was saved. Try again in a moment."
        case .databaseNotWritable:
            "The server cannot save changes right now (its disk is full or read-only); nothing was saved. Reading still works."
        case .requestTimedOut: "The request did not arrive in time; send it again."
        case .requestNotHTTP: "The request could not be read as HTTP/1.1."
        case .tooManyConnections: "The server has too many open connections; try again in a few seconds."
        case .tooManyLiveConnections(let limit):
            "You already have \(limit) live connections open; close a tab or another device's app first."
        case .resourceMissing(let name): "The \(name) is not installed."
        case .testNotificationTitle: "Washboard test"
        case .testNotificationBody: "Notifications reach this device."
        case .pushNotConfigured:
            "Notifications are not set up on this server yet; an admin runs `washboard admin vapid generate`."
        case .liveFrameNotJSON: "Send JSON text frames: {\"type\":…}."
        case .liveAckMalformed: "Send {\"type\":\"ack\",\"alert\":\"<id>\"}."
        case .liveUnknownType: "Unknown message type; send ping or ack."

        case .pushExpiredUnsent: "its time to live ran out before it was sent"
        case .pushSubscriptionUnknownToService: "the push service no longer knows the subscription"
        case .pushResidentUnsubscribed: "the resident unsubscribed"
        case .pushSubscriptionGone: "the subscription is gone"
        case .pushKeyReplaced: "the VAPID key was replaced"
        case .pushTopicInvalid: "the topic is not 1 to 32 base64url characters"
        case .pushNoAnswer(let milliseconds): "no answer within \(milliseconds) ms"
        case .pushSubscriptionUnusable(let error): "the stored subscription is unusable: \(error)"
        }
    }
}

extension InputProblem {
    var english: String {
        switch self {
        case .machineIdFormat: "use 1 to 16 letters, digits or dashes, e.g. W3"
        case .cycleMinutes(let range): "a cycle lasts \(range.lowerBound) to \(range.upperBound) minutes"
        case .length(let range): "give \(range.lowerBound) to \(range.upperBound) characters"
        case .range(let range): "give a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .count(let range): "list \(range.lowerBound) to \(range.upperBound) items"
        case .reportLength(let range):
            "describe the problem in \(range.lowerBound) to \(range.upperBound) characters"
        case .noticeExpiresBeforePublished: "a notice must expire after it is published"
        case .timeOfDay: "expected a time as HH:MM (00:00 to 23:59)"
        case .quietHoursEmpty: "start and end must differ"
        case .missing: "is missing"
        case .noSuchMachines: "no machine of that kind is there"
        case .pushEndpointNotAURL: "the endpoint is not an absolute URL"
        case .pushEndpointScheme(let scheme): "push endpoints must use https, not \(scheme)"
        case .pushEndpointCredentials: "push endpoints must not contain a user name or password"
        case .pushEndpointHost(let host): "\(host) is not a known push service"
        case .pushAuthSecret: "must be 16 bytes, base64url-encoded"
        case .pushKeyEncoding: "must be an uncompressed P-256 point (65 bytes), base64url-encoded"
        case .pushKeyNotOnCurve: "is not a point on the P-256 curve"
        }
    }
}

extension RateLimit {
    var english: String {
        switch self {
        case .pickupRequest(let machineId, let minutes): "You already asked for \(machineId) in the last \(minutes) minutes."
        case .enrollmentAttempts(let budget):
            "Too many wrong enrollment codes from this network (\(budget.count) in \(budget.minutes) minutes)."
        case .reports(let budget): "You can send \(budget.count) reports in \(budget.minutes) minutes."
        case .cancels(let budget): "You cancelled \(budget.count) starts in \(budget.minutes) minutes; wait a little."
        case .pushSubscriptionChanges(let budget):
            "Notifications were turned on and off \(budget.count) times in \(budget.minutes) minutes; wait a little."
        case .testNotifications(let budget):
            "\(budget.count) test notifications in \(budget.minutes) minutes are enough; wait a little."
        }
    }
}

extension Message.JSONValueKind {
    var english: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .boolean: "true or false"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension String {
    /// The string quoted for a message, cut short so hostile input cannot flood a log line.
    var quotedForMessage: String {
        let limit = 40
        let shown = count > limit ? prefix(limit) + "…" : Substring(self)
        return "\"" + shown.unicodeScalars.map { $0.properties.isWhitespace && $0 != " " ? " " : String($0) }.joined() + "\""
    }
}

extension Date {
    /// ISO-8601 in UTC with seconds, as in the API.
    public var iso8601: String { formatted(.iso8601) }
}
