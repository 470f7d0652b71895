import Hummingbird
import HummingbirdAuth

/// Signs in every request of the routes it guards, or refuses it: 401 without valid
/// credentials, 403 for a cookie-signed write from a foreign origin. Handlers behind it
/// read ``AuthRequestContext/session``.
struct SessionAuthenticator<Context: AuthRequestContext<Session>>: AuthenticatorMiddleware {
    let sessions: Sessions
    /// When false, a request without a valid session goes on signed out (signing in and
    /// out); a cookie-signed write from a foreign origin is still refused.
    var required = true

    func authenticate(request: Request, context: Context) async throws -> Session? {
        do {
            return try await sessions.session(of: request)
        } catch let problem as Problem where !required && problem.status == .unauthorized {
            return nil
        }
    }
}

/// The context of every HTTP route: the basic one, plus who is signed in.
struct WashboardRequestContext: AuthRequestContext, RequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Session?

    init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }
}

extension AuthRequestContext where Identity == Session {
    /// The signed-in session; routes behind ``SessionAuthenticator`` always have one.
    var session: Session {
        get throws {
            guard let identity else { throw Problem.unauthenticated(.signInFirst) }
            return identity
        }
    }
}
