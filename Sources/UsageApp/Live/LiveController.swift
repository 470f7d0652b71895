import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Who is on the other end of a live connection: the id whose events they get, and whether
/// they are a kiosk (which gets machine frames without resident ids, ``KioskRedaction``).
struct LiveViewer: Sendable {
    var id: String
    var isKiosk: Bool
    /// What the connection asked for (`lang`, else `Accept-Language`), else the dorm's default.
    var language: Language
    var session: Session.Viewer

    init(_ session: Session.Viewer, language: Language) {
        self.session = session
        self.language = language
        switch session {
        case .resident(let resident): (id, isKiosk) = (resident.id, false)
        case .kiosk(let kiosk): (id, isKiosk) = (kiosk.subscriberId, true)
        }
    }
}

/// An upgrade the server agreed to, and what the connection asked for.
struct LiveAdmission: Sendable {
    var viewer: LiveViewer
    var since: Int64?
    /// permessage-deflate was negotiated (``LiveDeflate``).
    var deflate: Bool
    /// The client takes `batch` frames (`batch=1`).
    var batch: Bool
}

/// `GET /ws`: the live board. See docs/live-protocol.md.
///
/// The upgrade is checked before it happens (``admit(_:on:)``); the connection is then a
/// ``LiveConnection`` in the channel's pipeline, fed by the ``LiveHub``.
struct LiveController: Sendable {
    /// Where the live board is served; ``RequestDeadlines`` lets its upgrades go.
    static let path = "/ws"
    let store: any EventLog & AlertStore
    let sessions: Sessions
    let hub: LiveHub
    let boardCache: BoardCache<BoardSnapshot>
    let publicOrigin: String
    /// ``ConnectionLimits/maxLivePerViewer``.
    var maxLivePerViewer = ConnectionLimits().maxLivePerViewer
    /// For connections that ask for no language.
    var defaultLanguage = Language.english
    var limits = Limits()
    let greetings = Greetings()

    struct Limits: Sendable {
        /// Larger client messages close the connection with 1009.
        var maxMessageBytes = Request.maxJSONBodyBytes
        /// More client messages than this in ``floodWindow`` close the connection with 1008.
        var floodLimit = 20
        var floodWindow: TimeAmount = .seconds(10)
        /// A protocol ping goes to a connection silent this long; one silent for twice as long is dropped.
        var heartbeatSeconds = 25
        /// How long a closing connection waits for the client's close frame.
        var closeTimeout: TimeAmount = .seconds(2)
    }

    static let tooSlow = WebSocketErrorCode.unknown(4008)
    static let sessionRevoked = WebSocketErrorCode.unknown(4001)

    /// Refusals before the upgrade are problems, in this order: 404 for another path, 403
    /// for a browser page of another origin, 400 for a bad `since`, 401 without a valid
    /// session, 429 when the resident has ``maxLivePerViewer`` connections open here already.
    /// A session in the cache is checked without leaving the event loop.
    func admit(_ head: HTTPRequestHead, on eventLoop: any EventLoop, logger: Logger) -> EventLoopFuture<
        Result<LiveAdmission, Problem>
    > {
        let request: Request
        do {
            request = Request(
                head: try HTTPRequest(head, secure: false, splitCookie: false), body: RequestBody(buffer: ByteBuffer()))
        } catch {
            return eventLoop.makeSucceededFuture(
                .failure(Problem(status: .badRequest, code: "bad_request", detail: "The upgrade request is not valid HTTP.")))
        }
        let language = Language.of(request) ?? defaultLanguage
        do {
            try checkBeforeSession(request)
            if let session = try sessions.cachedSession(of: request) {
                return eventLoop.makeSucceededFuture(decide(request, .success(session), language, logger))
            }
        } catch {
            return eventLoop.makeSucceededFuture(decide(request, .failure(error), language, logger))
        }
        let promise = eventLoop.makePromise(of: Result<LiveAdmission, Problem>.self)
        promise.completeWithTask {
            let session: Result<Session, any Error>
            do { session = .success(try await sessions.session(of: request)) } catch { session = .failure(error) }
            return decide(request, session, language, logger)
        }
        return promise.futureResult
    }

    private func decide(_ request: Request, _ session: Result<Session, any Error>, _ language: Language, _ logger: Logger)
        -> Result<LiveAdmission, Problem>
    {
        do {
            return .success(try admission(of: request, session: try session.get(), language: language))
        } catch {
            return .failure(Problem.answering(error, to: request, logger: logger).localized(language))
        }
    }

    private func checkBeforeSession(_ request: Request) throws {
        guard request.uri.path == Self.path else {
            throw Problem(status: .notFound, code: "not_found", detail: .noSuchResource(method: "GET", path: request.uri.path))
        }
        if let origin = request.headers[.origin], Self.isBrowserOrigin(origin), origin != publicOrigin {
            throw Problem(status: .forbidden, code: "foreign_origin", detail: .foreignOriginForLive(origin: publicOrigin))
        }
        if let since = request.uri.queryParameters.get("since"), Int64(since) == nil {
            throw Problem.badRequest(.sinceNotASequenceNumber)
        }
    }

    private func admission(of request: Request, session: Session, language: Language) throws -> LiveAdmission {
        let viewer = LiveViewer(session.viewer, language: language)
        if hub.connectionCount(of: viewer.id) >= maxLivePerViewer {
            throw Problem(
                status: .tooManyRequests, code: "too_many_live_connections",
                detail: .tooManyLiveConnections(limit: maxLivePerViewer),
                headers: [.retryAfter: String(ConnectionLimits.retryAfterSeconds)])
        }
        return LiveAdmission(
            viewer: viewer, since: request.uri.queryParameters.get("since").flatMap { Int64($0) },
            deflate: LiveDeflate.isOffered(in: request.headers), batch: request.uri.queryParameters.get("batch") == "1")
    }

    /// Browsers send `Origin` as `http(s)://host[:port]`, or `null` from sandboxed and file pages.
    /// The check stops other sites' pages from opening a socket with the resident's cookie
    /// (cross-site WebSocket hijacking); other clients (`ws://…` from WSClient, none from
    /// Python's websockets) are not browsers and need their credentials all the same.
    static func isBrowserOrigin(_ origin: String) -> Bool {
        let lowered = origin.lowercased()
        return lowered == "null" || lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    /// How a connection starts when the ring cannot serve it (no `since`, or one outside the
    /// ring): the log's head; a full board unless `since` is inside the retained log; and the
    /// events after that from the log.
    struct Start: Sendable {
        var head: Int64
        var board: WireText?
        var sent: Int64
        var events: [LiveFrame]
    }

    func start(_ admission: LiveAdmission) async throws -> Start {
        let head = try await store.headSeq()
        var start = Start(head: head, board: nil, sent: 0, events: [])
        if let since = admission.since, since <= head, since >= (try await store.oldestRetainedSeq() ?? head + 1) - 1 {
            start.sent = since
            hub.metrics.resumesFromLog.increment()
        } else {
            let board = try await boardCache.value()
            start.board = board.encoded(forKiosk: admission.viewer.isKiosk).frame
            start.sent = board.seq
            hub.metrics.boardsSent.increment()
        }
        _ = try await store.readEvents(after: start.sent) { events in
            // Frames of other residents' events are not built: an alert's costs a decode.
            for event in events where LiveFrame.isVisible(event.topic, to: admission.viewer.id) {
                start.events.append(LiveFrame(event, compress: false))
            }
        }
        return start
    }
}
