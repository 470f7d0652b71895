import Foundation
import HTTPTypes
import Hummingbird

/// The resident PWA: the files under `Resources/Public`, shipped in the binary's resource
/// bundle and served at `/` with revalidation (`no-cache` plus `ETag`/`Last-Modified`).
/// The service worker keeps its own copy for offline use.
enum AppController {
    /// The folder of the PWA's files inside the resource bundle.
    static var publicFolder: String? {
        Bundle.module.resourceURL?.appendingPathComponent("Public", isDirectory: true).path
    }

    static func addRoutes(to router: Router<WashboardRequestContext>) {
        // `/join#code=…` is the link `admin resident add` prints. The fragment never reaches
        // the server, and browsers carry it over a redirect that has none.
        router.get("/join") { _, _ in Response.redirect(to: "/", type: .found) }
        if let publicFolder {
            router.add(
                middleware: FileMiddleware(
                    publicFolder, cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true))
        }
    }
}

/// Headers every response carries: the page may run only its own scripts and styles and
/// talk only to its own origin; no type sniffing; no referrer to other sites; no framing.
enum SecurityHeaders {
    /// Built once: they are the same on every response.
    static let fields: HTTPFields = [
        .contentSecurityPolicy: [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
            "worker-src 'self'", "manifest-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
            "frame-ancestors 'none'",
        ].joined(separator: "; "),
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]
}

/// Sets ``SecurityHeaders`` on every response.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response = try await next(request, context)
        for field in SecurityHeaders.fields { response.headers[field.name] = field.value }
        return response
    }
}
