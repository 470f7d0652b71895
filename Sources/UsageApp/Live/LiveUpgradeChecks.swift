import DeviceState
import Hummingbird

/// Refuses a WebSocket upgrade from a browser page of another origin (403), before anything else.
///
/// Browsers send `Origin` as `http(s)://host[:port]`, or `null` from sandboxed and file pages.
/// The check stops other sites' pages from opening a socket with the resident's cookie
/// (cross-site WebSocket hijacking); other clients (`ws://…` from WSClient, none from
/// Python's websockets) are not browsers and need their credentials all the same.
struct LiveOriginCheck<Context: RequestContext>: RouterMiddleware {
    let publicOrigin: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        if let origin = request.headers[.origin], Self.isBrowserOrigin(origin), origin != publicOrigin {
            throw Problem(status: .forbidden, code: "foreign_origin", detail: .foreignOriginForLive(origin: publicOrigin))
        }
        return try await next(request, context)
    }

    static func isBrowserOrigin(_ origin: String) -> Bool {
        let lowered = origin.lowercased()
        return lowered == "null" || lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }
}

/// Keeps the problem a refused upgrade was refused with, for ``RefusalWriter`` to send
/// instead of hummingbird-websocket's empty 400.
struct UpgradeRefusalRecorder: RouterMiddleware {
    typealias Context = LiveRequestContext
    let refusals: UpgradeRefusals
    let defaultLanguage: Language

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            let problem = problem.localized(Language.of(request) ?? defaultLanguage)
            refusals.record(problem, path: request.uri.path, for: context.channel)
            throw problem
        }
    }
}
