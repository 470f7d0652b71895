import DeviceState
import Foundation
import Hummingbird
import Wire

/// Enrollment and sessions: `POST /api/session`, `DELETE /api/session`, `GET /api/me`,
/// `PATCH /api/me/preferences`; a kiosk's `POST /api/kiosk/session` and `GET /api/kiosk`.
struct SessionController {
    let store: any SessionStore & ResidentStore & UseStore & KioskStore
    let sessions: Sessions
    let cookieIsSecure: Bool
    let limiter: RequestLimiter
    let clientAddresses: ClientAddresses
    /// The demo resident of `serve --demo`; nil otherwise, and the demo routes do not exist.
    var demoResidentId: String? = nil
    var defaultLanguage = Language.english

    /// Residents stay signed in for a semester; revocation ends a session earlier.
    static let cookieMaxAge = 180 * 24 * 3600

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/session", methods: [.post: redeem, .delete: logout])
        router.on("/api/me", methods: [.get: me])
        router.on("/api/me/preferences", methods: [.patch: updatePreferences, .put: replacePreferences])
        router.on("/api/locale", methods: [.get: locale])
        router.on("/api/kiosk/session", methods: [.post: kioskSession])
        router.on("/api/kiosk", methods: [.get: kiosk])
        if demoResidentId != nil {
            router.on("/api/demo", methods: [.get: { _, _ in Response(status: .noContent) }])
            router.on("/api/demo/session", methods: [.post: demoSession])
        }
    }

    struct SessionResponse: Encodable {
        var token: String
        var resident: Resident
    }

    @Sendable func redeem(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: EnrollmentCodeBody.self)
        let (resident, token) = try await guardingGuesses(request, context) {
            guard InputRules.enrollmentCodeLength.contains(body.code.count) else { throw DeviceStateError.enrollmentCodeInvalid }
            return try await store.redeemEnrollmentCode(body.code, at: .currentSecond)
        }
        return try sessionResponse(resident, token)
    }

    /// Runs a sign-in with a secret, counting wrong secrets per client address: past
    /// ``RateLimit/enrollmentBudget`` the address gets 429 before its secret is even looked at.
    private func guardingGuesses<T>(
        _ request: Request, _ context: WashboardRequestContext, _ attempt: () async throws -> T
    ) async throws -> T {
        let key = "guess:\(clientAddresses.address(of: request, peer: context.remoteAddress))"
        let budget = RateLimit.enrollmentBudget
        try limiter.check(key, budget, as: .enrollmentAttempts(budget))
        do {
            return try await attempt()
        } catch let error as DeviceStateError where error == .enrollmentCodeInvalid {
            limiter.record(key, budget)
            throw error
        } catch let problem as Problem where problem.status == .unauthorized {
            limiter.record(key, budget)
            throw problem
        }
    }

    /// Signs in as the demo resident: a one-time code issued and redeemed at once.
    @Sendable func demoSession(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        guard let demoResidentId else { throw HTTPError(.notFound) }
        let code = try await store.issueEnrollmentCode(residentId: demoResidentId, validFor: 60, at: .currentSecond)
        let (resident, token) = try await store.redeemEnrollmentCode(code.code, at: .currentSecond)
        return try sessionResponse(resident, token)
    }

    private func sessionResponse(_ resident: Resident, _ token: String) throws -> Response {
        var response = try Response.json(SessionResponse(token: token, resident: resident), status: .created)
        response.setCookie(sessionCookie(token))
        return response
    }

    private func sessionCookie(_ token: String) -> Cookie {
        Cookie(
            name: Sessions.cookieName, value: token, maxAge: Self.cookieMaxAge, path: "/", secure: cookieIsSecure,
            httpOnly: true, sameSite: .strict)
    }

    /// The kiosk page trades the token of its link (`/kiosk/#token=…`) for the session cookie,
    /// which its board requests and its WebSocket then carry.
    @Sendable func kioskSession(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: KioskSessionBody.self)
        let kiosk = try await guardingGuesses(request, context) {
            guard body.token.hasPrefix(Kiosk.tokenPrefix), body.token.count <= 100,
                let kiosk = try await store.kiosk(forToken: body.token)
            else { throw Problem.unauthenticated(.kioskTokenInvalid) }
            return kiosk
        }
        var response = try Response.json(kiosk, status: .created)
        response.setCookie(sessionCookie(body.token))
        return response
    }

    /// The kiosk signed in: which location it shows.
    @Sendable func kiosk(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        guard let kiosk = try context.session.kiosk else {
            throw Problem(status: .forbidden, code: "not_a_kiosk", detail: .kioskOnly)
        }
        return try Response.json(kiosk)
    }

    /// Always clears the cookie, also when the session had already ended: the page cannot, it is HttpOnly.
    @Sendable func logout(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        do {
            let session = try context.session
            try await store.endSession(token: session.token)
            sessions.forget(session.token)
        } catch let problem as Problem where problem.status == .unauthorized {
            // Nothing to end; clearing the cookie is still right.
        }
        var response = Response(status: .noContent)
        response.setCookie(
            Cookie(
                name: Sessions.cookieName, value: "", maxAge: 0, path: "/",
                secure: cookieIsSecure, httpOnly: true, sameSite: .strict))
        return response
    }

    struct MeResponse: Encodable {
        var resident: Resident
        var uses: [Use]
        var preferences: Preferences
    }

    @Sendable func me(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        async let uses = store.openUses(of: resident.id)
        async let preferences = store.preferences(of: resident.id)
        return try Response.json(MeResponse(resident: resident, uses: try await uses, preferences: try await preferences))
    }

    @Sendable func updatePreferences(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let patch = try await request.decodeJSON(as: PreferencesPatch.self)
        var preferences = try await store.preferences(of: resident.id)
        if let quietHours = patch.quietHours { preferences.quietHours = quietHours }
        if let muted = patch.mutedAlertKinds { preferences.mutedAlertKinds = muted }
        if let language = patch.language { preferences.language = language }
        return try Response.json(try await store.setPreferences(preferences.normalized, of: resident.id))
    }

    /// `PUT`: the whole preferences; what the body leaves out takes its default.
    @Sendable func replacePreferences(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let preferences = try await request.decodeJSON(as: Preferences.self)
        return try Response.json(try await store.setPreferences(preferences.normalized, of: resident.id))
    }

    /// What the app needs before anyone signs in: the dorm's language and its time zone
    /// (the server's), in which the app shows every time.
    struct Locale: Encodable {
        var defaultLanguage: Language
        var languages = Language.allCases
        var timeZone = TimeZone.current.identifier
    }

    @Sendable func locale(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        try Response.json(Locale(defaultLanguage: defaultLanguage))
    }
}

extension Preferences {
    /// Muted kinds once each, in a stable order.
    fileprivate var normalized: Preferences {
        var preferences = self
        preferences.mutedAlertKinds = Array(Set(mutedAlertKinds)).sorted { $0.rawValue < $1.rawValue }
        return preferences
    }
}

extension Date {
    /// Now, to the second: the precision of every time the API shows.
    static var currentSecond: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
