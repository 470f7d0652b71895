import Hummingbird
import HummingbirdAuth
import NIOCore

/// A request context that carries who is signed in, or why no one is.
protocol SessionRequestContext: AuthRequestContext<Session> {
    /// Why the request has no session: a problem (none given or unknown credentials, 401; a
    /// cookie-signed write from a foreign origin, 403), or the error of looking it up.
    var sessionRefusal: (any Error)? { get set }
}

extension SessionRequestContext {
    /// The signed-in session, or the refusal of the request's credentials as a problem.
    var session: Session {
        get throws {
            if let identity { return identity }
            throw sessionRefusal ?? Problem.unauthenticated(.signInFirst)
        }
    }
}

/// Authenticates every request once, before any handler: it puts the session in the
/// context (``AuthRequestContext/identity``), or the reason there is none
/// (``SessionRequestContext/sessionRefusal``). A handler that needs a resident reads
/// ``SessionRequestContext/session``, which throws that reason; routes that need none
/// (signing in, the app's files, `/health`, a method not allowed) never look, and answer
/// also while the database cannot be read.
struct SessionAuthenticator<Context: SessionRequestContext>: RouterMiddleware {
    let sessions: Sessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        do {
            context.identity = try await sessions.session(of: request)
        } catch {
            context.sessionRefusal = error
        }
        return try await next(request, context)
    }
}

/// The context of every HTTP route: the basic one, plus who is signed in and the peer's address.
struct WashboardRequestContext: SessionRequestContext, RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Session?
    var sessionRefusal: (any Error)?
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
