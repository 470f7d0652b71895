import DeviceState
import Foundation
import NIOCore
import NIOWebSocket
import Wire

/// One live connection, as a handler after NIO's WebSocket codec: once started, no task and
/// no buffer of its own. Its state is touched on its channel's event loop only.
///
/// It sends `hello`; a full board unless `since` can be resumed; the events after that;
/// then what the hub publishes, skipping frames at or below the last seq sent, so the
/// stream has no gap and no duplicate. A resume the ring holds (``LiveRing``) is served at
/// once; anything else reads the store on a task first, holding the hub's frames meanwhile.
final class LiveConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let admission: LiveAdmission
    private let live: LiveController
    // Stored, not computed from the two above: read for every frame.
    private let viewer: LiveViewer
    private let hub: LiveHub
    private let deflate: Bool

    private enum Phase {
        /// Reading the store; what the hub publishes meanwhile waits here.
        case starting(held: [LiveBurst], frames: Int)
        case live
        case closing
    }
    private var phase = Phase.starting(held: [], frames: 0)
    private var context: ChannelHandlerContext?
    /// Where whole frames (``WireText``) are written: past NIO's frame encoder, which
    /// encodes this connection's control frames.
    private var wire: ChannelHandlerContext?
    private var loop: LiveLoop?
    /// Its place in its loop's list.
    var index = 0
    private var sentSeq: Int64 = 0
    /// Frames written since the socket stopped taking bytes.
    private var behind = 0
    private var lastHeard = NIODeadline.now()
    private var pinged = false
    /// A fragmented client message being put together: its first frame and the data so far.
    private var partial: (first: WebSocketFrame, data: ByteBuffer)?
    private var window = (start: NIODeadline.now(), count: 0)

    private init(admission: LiveAdmission, live: LiveController, wire: ChannelHandlerContext) {
        self.admission = admission
        self.live = live
        self.wire = wire
        viewer = admission.viewer
        hub = live.hub
        deflate = admission.deflate
    }

    // MARK: Joining

    /// Adds a connection after NIO's WebSocket codec in `pipeline`.
    static func install(in pipeline: ChannelPipeline.SynchronousOperations, admission: LiveAdmission, live: LiveController)
        throws
    {
        let writer = WireWriter()
        try pipeline.addHandler(writer, position: .before(try pipeline.handler(type: WebSocketFrameEncoder.self)))
        try pipeline.addHandler(LiveConnection(admission: admission, live: live, wire: try pipeline.context(handler: writer)))
    }

    /// Marks the place in the pipeline between the socket and NIO's frame encoder.
    final class WireWriter: ChannelOutboundHandler, RemovableChannelHandler {
        typealias OutboundIn = ByteBuffer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let (loop, shuttingDown) = hub.join(viewer.id, on: context.eventLoop)
        self.loop = loop
        loop.add(self)
        if shuttingDown { return close(.goingAway) }
        if let since = admission.since, let resumed = hub.ring.frames(after: since) {
            hub.metrics.resumesFromMemory.increment()
            sendHello(head: resumed.head)
            sentSeq = since
            phase = .live
            if !resumed.frames.isEmpty { replay(LiveBurst(Array(resumed.frames), batches: admission.batch, compress: false)) }
            flush()
            return
        }
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        starting = Task { [live, admission] in
            let start: Result<LiveController.Start, any Error>
            do { start = .success(try await live.start(admission)) } catch { start = .failure(error) }
            eventLoop.execute { connection.value.started(start) }
        }
    }

    private func started(_ start: Result<LiveController.Start, any Error>) {
        guard case .starting(let held, _) = phase else { return }
        starting = nil
        guard case .success(let start) = start else { return close(.unexpectedServerError) }
        sendHello(head: start.head)
        if let board = start.board { write(board) }
        sentSeq = start.sent
        phase = .live
        replay(LiveBurst(start.events, batches: admission.batch, compress: false))
        for burst in held { replay(burst) }
        flush()
    }

    private func replay(_ burst: LiveBurst) {
        hub.metrics.framesSent.increment(by: Int64(send(burst)))
    }

    private func sendHello(head: Int64) {
        let members = live.greetings.members(for: viewer.session, heartbeatSeconds: live.limits.heartbeatSeconds)
        write(WireText(FrameText.splice(type: "hello", seq: head, into: members), compress: false))
    }

    // MARK: Sending

    /// Writes what `burst` holds for this connection, without flushing; returns the frames written.
    func send(_ burst: LiveBurst) -> Int {
        switch phase {
        case .closing:
            return 0
        case .starting(var held, let frames):
            // Out of `phase` while it grows, so that appending does not copy it.
            phase = .closing
            held.append(burst)
            let visible = frames + burst.frameCount(visibleTo: viewer.id)
            phase = .starting(held: held, frames: visible)
            if visible > hub.maxFramesBehind { tooSlow() }
            return 0
        case .live:
            break
        }
        var written = 0
        for item in burst.items {
            switch item {
            case .single(let frame):
                guard frame.seq > sentSeq, frame.isVisible(to: viewer.id) else { continue }
                if frame.kind == .sessionRevoked {
                    close(LiveController.sessionRevoked)
                    return written
                }
                write(frame.wire(for: viewer))
                sentSeq = frame.seq
                written += 1
            case .run(let run):
                if admission.batch, run.frames[0].seq > sentSeq {
                    write(viewer.isKiosk ? run.kioskBatch : run.batch)
                    sentSeq = run.frames[run.frames.count - 1].seq
                    written += 1
                    continue
                }
                for frame in run.frames where frame.seq > sentSeq {
                    write(frame.wire(for: viewer))
                    sentSeq = frame.seq
                    written += 1
                }
            }
            if isClosing { return written }
        }
        return written
    }

    func flush() { wire?.flush() }

    private func write(_ text: WireText) {
        guard let wire, !isClosing else { return }
        if !wire.channel.isWritable {
            // Unflushed writes count towards the high watermark too: a long replay is not a
            // slow client until the socket itself stops taking them.
            wire.flush()
            if !wire.channel.isWritable {
                behind += 1
                if behind > hub.maxFramesBehind { return tooSlow() }
            }
        }
        wire.write(NIOAny(text.bytes(deflate: deflate)), promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { behind = 0 }
        context.fireChannelWritabilityChanged()
    }

    private func tooSlow() {
        hub.metrics.slowClientCloses.increment()
        close(LiveController.tooSlow)
    }

    // MARK: Closing

    private var isClosing: Bool {
        if case .closing = phase { true } else { false }
    }

    /// Sends the close frame and stops sending anything else; the connection ends when the
    /// client answers, or after ``LiveController/Limits/closeTimeout`` (a client that stopped
    /// reading never will).
    func close(_ code: WebSocketErrorCode) {
        guard let context, !isClosing else { return }
        leave()
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        closeLater(context)
    }

    /// Ends the connection after ``LiveController/Limits/closeTimeout`` unless it ended sooner.
    private func closeLater(_ context: ChannelHandlerContext) {
        closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: live.limits.closeTimeout) { context.close(promise: nil) }
    }
    private var closeTimer: Scheduled<Void>?
    private var starting: Task<Void, Never>?

    func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leave()
        closeTimer?.cancel()
        self.context = nil
        wire = nil
    }

    /// Out of the hub's fan-out and counts, once: the connection is closing.
    private func leave() {
        phase = .closing
        starting?.cancel()
        guard let loop else { return }
        loop.remove(self)
        self.loop = nil
        hub.leave(viewer.id)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server is stopping (hummingbird waits for every connection to close).
        if event is ChannelShouldQuiesceEvent { return close(.goingAway) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Receiving

    /// Called about every second by the loop: pings a connection silent for
    /// ``LiveController/Limits/heartbeatSeconds``, drops one that did not answer the last ping.
    func heartbeat(at now: NIODeadline) {
        guard let context, !isClosing, now - lastHeard >= .seconds(Int64(live.limits.heartbeatSeconds)) else { return }
        if pinged { return context.close(promise: nil) }
        pinged = true
        lastHeard = now
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastHeard = .now()
        pinged = false
        // Clients mask every frame (RFC 6455 §5.1); only the first frame of a message may be compressed.
        guard frame.maskKey != nil, !frame.rsv2, !frame.rsv3, !(frame.rsv1 && frame.opcode.isControlOpcode) else {
            return close(.protocolError)
        }
        // After our close frame only the client's close matters.
        if isClosing, frame.opcode != .connectionClose { return }
        switch frame.opcode {
        case .ping:
            // Counted with the messages: a client that pings and never reads must not grow our buffers.
            guard withinFloodLimit() else { return close(.policyViolation) }
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            closeAnswered(frame, context: context)
        case .text, .binary:
            guard partial == nil, !frame.rsv1 || admission.deflate else { return close(.protocolError) }
            if frame.fin {
                receive(frame, frame.unmaskedData, context: context)
            } else {
                partial = (frame, frame.unmaskedData)
            }
        case .continuation:
            guard var message = partial, !frame.rsv1 else { return close(.protocolError) }
            var data = frame.unmaskedData
            guard message.data.readableBytes + data.readableBytes <= live.limits.maxMessageBytes else {
                return close(.messageTooLarge)
            }
            message.data.writeBuffer(&data)
            partial = frame.fin ? nil : message
            if frame.fin { receive(message.first, message.data, context: context) }
        default:
            close(.protocolError)
        }
    }

    /// The client's close frame: the answer to ours, or its own, which is echoed.
    private func closeAnswered(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if isClosing { return context.close(promise: nil) }
        leave()
        var data = frame.unmaskedData
        let echo = data.readSlice(length: min(2, data.readableBytes)) ?? ByteBuffer()
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        // A client that stopped reading never lets the echo out.
        closeLater(context)
    }

    /// A whole client message: `ping` → `pong`, `ack` marks an alert as seen, anything else
    /// gets an `error` frame; more than the flood limit closes with 1008.
    private func receive(_ first: WebSocketFrame, _ data: ByteBuffer, context: ChannelHandlerContext) {
        guard withinFloodLimit() else { return close(.policyViolation) }

        var message = data
        if first.rsv1 {
            do {
                message = try (loop?.inflater ?? LiveInflater()).inflate(data, maxBytes: live.limits.maxMessageBytes)
            } catch .tooLarge {
                return close(.messageTooLarge)
            } catch {
                return close(.dataInconsistentWithMessage)
            }
        }
        guard first.opcode == .text else { return reply(ControlFrame.error(.notJSON, in: viewer.language)) }
        switch LiveClientMessage.parse(String(buffer: message)) {
        case .success(.ping(let t)):
            reply(ControlFrame.text(ControlFrame.Pong(t: t)))
        case .success(.ack(let alertId)):
            // Seen in an open app: the alert router sends no push for it. Unknown or repeated ids change nothing.
            Task { [store = live.store, residentId = viewer.id] in
                _ = try? await store.acknowledgeAlert(alertId, residentId: residentId, at: Date())
            }
        case .failure(let rejection):
            reply(ControlFrame.error(rejection, in: viewer.language))
        }
    }

    /// Counts a client message; false past ``LiveController/Limits/floodLimit`` in the window.
    private func withinFloodLimit() -> Bool {
        let now = NIODeadline.now()
        if now - window.start > live.limits.floodWindow { window = (now, 0) }
        window.count += 1
        return window.count <= live.limits.floodLimit
    }

    /// Answers a client message; nothing goes out before `hello` (a message sent before it gets no answer).
    private func reply(_ text: String) {
        guard case .live = phase else { return }
        write(WireText(text, compress: false))
        flush()
    }
}
