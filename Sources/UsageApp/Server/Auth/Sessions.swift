import DeviceState
import Foundation
import Hummingbird
import Synchronization

/// Who a signed-in request comes from: a resident, or a laundry room screen.
struct Session: Sendable {
    enum Viewer: Sendable, Hashable {
        case resident(Resident)
        case kiosk(Kiosk)
    }

    var viewer: Viewer
    var token: String

    /// The resident signed in. A kiosk reads the board and never acts: everything that asks
    /// for a resident answers it 403.
    var resident: Resident {
        get throws {
            switch viewer {
            case .resident(let resident): return resident
            case .kiosk: throw Problem(status: .forbidden, code: "kiosk_read_only", detail: .kioskReadOnly)
            }
        }
    }

    var kiosk: Kiosk? {
        if case .kiosk(let kiosk) = viewer { kiosk } else { nil }
    }
}

/// Finds the session of a request: a bearer token, or the session cookie the PWA holds.
///
/// Lookups are cached for a few seconds, so a reconnect storm does not cost a database read
/// per request. Logging out here drops the cached entry at once; a revocation by the admin
/// CLI (another process) takes effect within ``cacheTTL``.
final class Sessions: Sendable {
    static let cookieName = "wb_session"
    static let cacheTTL: Duration = .seconds(5)
    private static let cacheLimit = 10_000

    let store: any SessionStore & KioskStore
    /// `scheme://host[:port]` of the PWA: a cookie-authenticated write from any other origin is refused.
    let publicOrigin: String
    private let cache = Mutex<[String: (viewer: Session.Viewer, at: ContinuousClock.Instant)]>([:])
    /// Store lookups under way, so that a storm of requests with one token reads it once.
    private let lookups = Mutex<[String: Task<Session.Viewer, any Error>]>([:])

    /// A session unused this long has ended (``SessionLifetime``; `serve --session-idle-days`).
    let idleLimit: TimeInterval

    init(store: any SessionStore & KioskStore, publicOrigin: String, idleLimit: TimeInterval) {
        self.store = store
        self.publicOrigin = publicOrigin
        self.idleLimit = idleLimit
    }

    /// The session of the request. Throws 401 without valid credentials, and 403 for a
    /// cookie-authenticated write sent from a foreign origin (cross-site request forgery).
    func session(of request: Request) async throws -> Session {
        let token = try token(of: request)
        if let viewer = cached(token) {
            return Session(viewer: viewer, token: token)
        }
        let (lookup, isFirst) = lookups.withLock { lookups in
            if let lookup = lookups[token] { return (lookup, false) }
            let lookup = Task { try await self.lookUp(token) }
            lookups[token] = lookup
            return (lookup, true)
        }
        defer { if isFirst { lookups.withLock { _ = $0.removeValue(forKey: token) } } }
        return Session(viewer: try await lookup.value, token: token)
    }

    /// The session of the request when its token was looked up within ``cacheTTL``; nil
    /// when only the store can tell. Throws as ``session(of:)`` does for bad credentials.
    func cachedSession(of request: Request) throws -> Session? {
        let token = try token(of: request)
        return cached(token).map { Session(viewer: $0, token: token) }
    }

    private func token(of request: Request) throws -> String {
        let token: String
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw Problem.unauthenticated(.bearerFormat) }
            token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        } else if let cookie = request.cookies[Self.cookieName]?.value {
            try checkOrigin(of: request)
            token = cookie
        } else {
            throw Problem.unauthenticated(.signInFirst)
        }
        guard token.hasPrefix("wb_") || token.hasPrefix(Kiosk.tokenPrefix), token.count <= 100 else {
            throw Problem.unauthenticated(.sessionTokenMalformed)
        }
        return token
    }

    private func lookUp(_ token: String) async throws -> Session.Viewer {
        let viewer: Session.Viewer
        if token.hasPrefix(Kiosk.tokenPrefix) {
            guard let kiosk = try await store.kiosk(forToken: token) else { throw Problem.unauthenticated(.sessionEnded) }
            viewer = .kiosk(kiosk)
        } else {
            guard let resident = try await store.resident(forToken: token, at: Date(), idleLimit: idleLimit) else {
                throw Problem.unauthenticated(.sessionEnded)
            }
            viewer = .resident(resident)
        }
        remember(viewer, for: token)
        return viewer
    }

    /// Forgets a token at once (logout).
    func forget(_ token: String) {
        cache.withLock { _ = $0.removeValue(forKey: token) }
    }

    /// Browsers send `Origin` on cross-origin requests and on same-origin writes;
    /// SameSite=Strict already keeps the cookie off cross-site requests, this is the second lock.
    private func checkOrigin(of request: Request) throws {
        guard request.method != .get, request.method != .head,
            let origin = request.headers[.origin], origin != publicOrigin
        else { return }
        throw Problem(status: .forbidden, code: "foreign_origin", detail: .foreignOriginForCookie(origin: publicOrigin))
    }

    /// Keyed by the token itself: hashing it on every request cost a quarter of a board request's CPU.
    private func cached(_ token: String) -> Session.Viewer? {
        let now = ContinuousClock.now
        return cache.withLock { cache in
            guard let entry = cache[token], now < entry.at + Self.cacheTTL else { return nil }
            return entry.viewer
        }
    }

    private func remember(_ viewer: Session.Viewer, for token: String) {
        let now = ContinuousClock.now
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[token] = (viewer, now)
        }
    }
}
