import DeviceState
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import Wire

/// `GET /ws`: the live board. See docs/live-protocol.md.
struct LiveController {
    /// Where the live board is served; ``RequestDeadlines`` lets its upgrades go.
    static let path = "/ws"
    let store: any EventLog & AlertStore
    let sessions: Sessions
    let hub: LiveHub
    let boardCache: BoardCache<BoardSnapshot>
    let publicOrigin: String
    let refusals: UpgradeRefusals
    /// ``ConnectionLimits/maxLivePerViewer``.
    var maxLivePerViewer = ConnectionLimits().maxLivePerViewer
    /// For connections that ask for no language.
    var defaultLanguage = Language.english
    var limits = Limits()

    struct Limits: Sendable {
        /// Larger client messages close the connection with 1009.
        var maxMessageBytes = 16 * 1024
        /// More client messages than this in ``floodWindow`` close the connection with 1008.
        var floodLimit = 20
        var floodWindow: Duration = .seconds(10)
        var heartbeatSeconds = 25
        var closeWriteTimeout: Duration = .seconds(2)
    }

    static let tooSlow = WebSocketErrorCode.unknown(4008)
    static let sessionRevoked = WebSocketErrorCode.unknown(4001)

    /// Refusals before the upgrade are problems, in this order: 403 for a browser page of
    /// another origin, 400 for a bad `since`, 401 without a valid session, 429 when the
    /// resident has ``maxLivePerViewer`` connections open here already.
    func addRoutes(to router: Router<LiveRequestContext>) {
        router.group(RouterPath(Self.path))
            .add(middleware: UpgradeRefusalRecorder(refusals: refusals, defaultLanguage: defaultLanguage))
            .add(middleware: LiveOriginCheck(publicOrigin: publicOrigin))
            .add(middleware: SessionAuthenticator(sessions: sessions))
            .ws(shouldUpgrade: shouldUpgrade) { inbound, outbound, context in
                let viewer = try context.requestContext.session.viewer
                let since = context.request.uri.queryParameters.get("since").flatMap { Int64($0) }
                let language = Language.of(context.request) ?? defaultLanguage
                try await serve(
                    viewer, since: since, language: language, inbound: inbound, outbound: outbound, logger: context.logger)
            }
    }

    @Sendable func shouldUpgrade(_ request: Request, context: LiveRequestContext) async throws -> RouterShouldUpgrade {
        if let since = request.uri.queryParameters.get("since"), Int64(since) == nil {
            throw Problem.badRequest(.sinceNotASequenceNumber)
        }
        let viewer = Viewer(try context.session.viewer, language: defaultLanguage)
        if hub.connectionCount(of: viewer.id) >= maxLivePerViewer {
            throw Problem(
                status: .tooManyRequests, code: "too_many_live_connections",
                detail: .tooManyLiveConnections(limit: maxLivePerViewer),
                headers: [.retryAfter: String(ConnectionLimits.retryAfterSeconds)])
        }
        return .upgrade([:])
    }

    /// Who is on the other end: the id whose events they get, and whether they are a kiosk
    /// (which gets machine frames without resident ids, ``KioskRedaction``).
    struct Viewer: Sendable {
        var id: String
        var isKiosk: Bool
        /// What the connection asked for (`lang`, else `Accept-Language`), else the dorm's default.
        var language: Language

        init(_ viewer: Session.Viewer, language: Language) {
            self.language = language
            switch viewer {
            case .resident(let resident): (id, isKiosk) = (resident.id, false)
            case .kiosk(let kiosk): (id, isKiosk) = (kiosk.subscriberId, true)
            }
        }

        /// Redacted here, per kiosk, rather than for every frame: residents' connections, nearly
        /// all of them, pay nothing, and a dorm has a screen or two.
        func text(of frame: LiveFrame) -> String {
            isKiosk && frame.kind == .machine ? KioskRedaction.text(frame.text) : frame.text(in: language)
        }
    }

    /// One connection: hello; a full board unless `since` is inside the retained log; every
    /// event after that from the log; then live frames from the hub, with no gap and no duplicate.
    func serve(
        _ session: Session.Viewer, since: Int64?, language: Language, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        let viewer = Viewer(session, language: language)
        // Subscribe first: whatever commits from now on is in the mailbox or in the log.
        let (id, mailbox) = hub.subscribe(residentId: viewer.id)
        defer { hub.unsubscribe(id) }  // also when the start fails; a second call does nothing

        let head = try await store.headSeq()
        var hello = ControlFrame.Hello(seq: head, heartbeatSeconds: limits.heartbeatSeconds)
        switch session {
        case .resident(let resident): hello.resident = resident
        case .kiosk(let kiosk): hello.kiosk = kiosk
        }
        try await outbound.writeTextMessage(ControlFrame.text(hello))
        var sent: Int64
        if let since, since <= head, since >= (try await store.oldestRetainedSeq() ?? head + 1) - 1 {
            sent = since
        } else {
            let board = try await boardCache.value()
            try await outbound.writeTextMessage(board.encoded(forKiosk: viewer.isKiosk).frame)
            sent = board.seq
        }
        var revoked: Bool
        (sent, revoked) = try await replay(after: sent, to: viewer, outbound: outbound)
        while mailbox.hasOverflowed, !revoked {
            // Fell behind while replaying: the log still has everything.
            mailbox.resetAfterOverflow()
            (sent, revoked) = try await replay(after: sent, to: viewer, outbound: outbound)
        }
        if revoked {
            // The session ended while the log was replayed: the mailbox's copy of that event is
            // at or below `sent` and would be skipped.
            hub.unsubscribe(id)
            await close(outbound, with: Self.sessionRevoked)
            return
        }

        // Whichever half ends first ends the connection. On shutdown, LiveShutdown shuts the
        // mailboxes down, so the writer half ends with 1001.
        let closing = await withTaskGroup(of: Ending.self) { group in
            group.addTask { [sent] in
                do { return .close(try await forward(mailbox, after: sent, to: viewer, outbound)) } catch { return .failed }
            }
            group.addTask {
                do {
                    return .close(try await receive(inbound, from: viewer, outbound: outbound, logger: logger))
                } catch {
                    return .failed
                }
            }
            group.addTask {
                // Ends the connection even while the writer is stuck on a client that stopped reading.
                guard await mailbox.waitUntilOverflowed() else { return .close(.goingAway) }
                hub.metrics.slowClientCloses.increment()
                return .close(Self.tooSlow)
            }
            let first = await group.next() ?? .failed
            group.cancelAll()
            return first
        }
        hub.unsubscribe(id)
        switch closing {
        case .close(let code?):
            await close(outbound, with: code)
        case .failed where Task.isCancelled:
            // The server is stopping under us.
            await close(outbound, with: .goingAway)
        case .close(nil), .failed:
            break
        }
    }

    /// Sends the close frame, giving up after ``Limits/closeWriteTimeout``: a client that stopped
    /// reading has a full socket, and then hummingbird-websocket's close timeout drops it.
    private func close(_ outbound: WebSocketOutboundWriter, with code: WebSocketErrorCode) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await outbound.close(code, reason: nil) }
            group.addTask { [timeout = limits.closeWriteTimeout] in try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// How the two halves of a connection ended.
    private enum Ending: Sendable {
        /// The close code to send, or nil when the client closed.
        case close(WebSocketErrorCode?)
        /// A read or write failed: the connection is gone.
        case failed
    }

    /// Sends what the log holds after `seq` for this resident, stopping at the end of their
    /// session; returns the last seq read, and whether the session was revoked.
    private func replay(after seq: Int64, to viewer: Viewer, outbound: WebSocketOutboundWriter) async throws
        -> (sent: Int64, revoked: Bool)
    {
        var revoked = false
        let sent = try await store.readEvents(after: seq) { events in
            // Frames of other residents' events are not built: an alert's costs a decode.
            for event in events where !revoked && LiveFrame.isVisible(event.topic, to: viewer.id) {
                let frame = LiveFrame(event)
                if frame.kind == .sessionRevoked {
                    revoked = true
                    continue
                }
                try await outbound.writeTextMessage(viewer.text(of: frame))
                hub.metrics.framesSent.increment()
            }
        }
        return (sent, revoked)
    }

    /// Live frames until the connection must close; returns the close code.
    private func forward(_ mailbox: Mailbox, after sent: Int64, to viewer: Viewer, _ outbound: WebSocketOutboundWriter)
        async throws -> WebSocketErrorCode?
    {
        while true {
            switch await mailbox.next() {
            case .frame(let frame):
                guard frame.seq > sent else { continue }
                if frame.kind == .sessionRevoked { return Self.sessionRevoked }
                try await outbound.writeTextMessage(viewer.text(of: frame))
                hub.metrics.framesSent.increment()
                hub.metrics.fanOutLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - frame.publishedAt))
            case .overflowed:
                return Self.tooSlow
            case .shutdown:
                return .goingAway
            }
        }
    }

    /// Client messages: `ping` → `pong`, `ack` marks an alert as seen, anything else gets an `error` frame.
    /// Returns when the client closes (nil) or breaks a limit (the close code).
    private func receive(
        _ inbound: WebSocketInboundStream, from viewer: Viewer, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws
        -> WebSocketErrorCode?
    {
        var window: (start: ContinuousClock.Instant, count: Int) = (.now, 0)
        for try await message in inbound.messages(maxSize: limits.maxMessageBytes) {
            let now = ContinuousClock.now
            if now - window.start > limits.floodWindow { window = (now, 0) }
            window.count += 1
            if window.count > limits.floodLimit { return .policyViolation }

            guard case .text(let text) = message else {
                try await outbound.writeTextMessage(ControlFrame.error(.notJSON, in: viewer.language))
                continue
            }
            switch LiveClientMessage.parse(text) {
            case .success(.ping(let t)):
                try await outbound.writeTextMessage(ControlFrame.text(ControlFrame.Pong(t: t)))
            case .success(.ack(let alertId)):
                // Seen in an open app: the alert router sends no push for it. Unknown or repeated ids change nothing.
                _ = try await store.acknowledgeAlert(alertId, residentId: viewer.id, at: Date())
            case .failure(let rejection):
                try await outbound.writeTextMessage(ControlFrame.error(rejection, in: viewer.language))
            }
        }
        return nil
    }
}
