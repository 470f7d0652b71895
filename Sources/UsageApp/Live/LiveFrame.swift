import DeviceState
import Foundation
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Wire

/// One text message as whole WebSocket frames, header and payload, ready to be written to
/// any number of sockets: plain, and compressed once for the connections that negotiated
/// permessage-deflate (``LiveDeflate``). Writing it copies no bytes and encodes nothing:
/// every recipient's write shares the same buffer, one iovec each.
struct WireText: Sendable {
    let plain: ByteBuffer
    /// `plain` itself when compressing does not pay (short messages).
    let deflated: ByteBuffer

    init(_ text: String, compress: Bool = true) {
        let payload = ByteBuffer(string: text)
        plain = Self.encode(WebSocketFrame(fin: true, opcode: .text, data: payload))
        if compress, let compressed = LiveDeflate.shared.compress(payload) {
            deflated = Self.encode(WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: compressed))
        } else {
            deflated = plain
        }
    }

    func bytes(deflate: Bool) -> ByteBuffer { deflate ? deflated : plain }

    /// The frame as NIO's own encoder writes it (a server's frames are not masked).
    private static func encode(_ frame: WebSocketFrame) -> ByteBuffer {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        defer { _ = try? channel.finish() }
        var bytes = ByteBuffer()
        do {
            try channel.writeOutbound(frame)
            while var part = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&part) }
        } catch {
            preconditionFailure("NIO's WebSocket encoder failed on an embedded channel: \(error)")
        }
        return bytes
    }
}

/// A server → client frame of the live protocol, built once on the tailer's task and shared
/// by every recipient. A class: a connection holding it retains one reference, not each
/// of its buffers.
final class LiveFrame: Sendable {
    let seq: Int64
    let topic: Event.Topic
    let kind: Event.Kind
    /// The JSON text sent on the socket, as residents read it.
    let text: String
    let wire: WireText
    /// For kiosks: a `machine` frame without who uses the machine (``KioskRedaction``).
    let kioskText: String
    let kioskWire: WireText?
    /// An alert's frame per language but English (its title and body rendered for the
    /// reader); empty for every other frame, which reads the same in every language.
    let localized: [Language: WireText]
    /// The alert an `alert` frame carries.
    let alertId: String?
    /// When the hub received it (`DispatchTime` nanoseconds), for the fan-out latency metric.
    let publishedAt: UInt64

    /// The frame of an event: its payload object with `type` and `seq` spliced in front.
    /// `compress`: whether to make the deflated twins (not for one connection's replay).
    init(_ event: Event, compress: Bool = true) {
        seq = event.seq
        topic = event.topic
        kind = event.kind
        text = FrameText.splice(type: event.kind.rawValue, seq: event.seq, into: String(decoding: event.payload, as: UTF8.self))
        wire = WireText(text, compress: compress)
        kioskText = kind == .machine ? KioskRedaction.text(text) : text
        kioskWire = kind == .machine ? WireText(kioskText, compress: compress) : nil
        let alert = event.alertPayloads
        alertId = alert?.alertId
        localized = (alert?.byLanguage ?? [:]).mapValues { payload in
            WireText(
                FrameText.splice(type: event.kind.rawValue, seq: event.seq, into: String(decoding: payload, as: UTF8.self)),
                compress: compress)
        }
        publishedAt = DispatchTime.now().uptimeNanoseconds
    }

    /// What `viewer` is sent.
    func wire(for viewer: LiveViewer) -> WireText {
        if viewer.isKiosk { return kioskWire ?? wire }
        return localized[viewer.language] ?? wire
    }

    /// Whether a connection of `residentId` receives this frame.
    func isVisible(to residentId: String) -> Bool { Self.isVisible(topic, to: residentId) }

    /// Whether a connection of `residentId` receives the frames of `topic`.
    static func isVisible(_ topic: Event.Topic, to residentId: String) -> Bool {
        switch topic {
        case .board: true
        case .resident(let id): id == residentId
        }
    }
}

/// What one tailer read publishes, in seq order: single frames, and runs of board frames that
/// connections which asked for `batch=1` get as one `batch` frame each (docs/live-protocol.md).
/// Built once per read, so a burst costs its encoding once, not once per connection.
struct LiveBurst: Sendable {
    enum Item: Sendable {
        case single(LiveFrame)
        case run(Run)
    }

    /// Board frames, every one visible to every connection, and their `batch` frame.
    final class Run: Sendable {
        let frames: [LiveFrame]
        let batch: WireText
        let kioskBatch: WireText

        init(_ frames: [LiveFrame], compress: Bool) {
            self.frames = frames
            batch = WireText(LiveBurst.batchText(frames, \.text), compress: compress)
            kioskBatch = WireText(LiveBurst.batchText(frames, \.kioskText), compress: compress)
        }
    }

    static let maxFramesPerBatch = 64
    static let maxBatchBytes = 32 * 1024

    let items: [Item]
    /// When the hub received the newest frame, for the fan-out latency metric.
    let publishedAt: UInt64?

    /// `batches`: whether to build `batch` frames at all; `compress`: whether they get a
    /// deflated twin (not for one connection's replay).
    init(_ frames: [LiveFrame], batches: Bool = true, compress: Bool = true) {
        publishedAt = frames.last?.publishedAt
        var items: [Item] = []
        var run: [LiveFrame] = []
        var runBytes = 0
        func endRun() {
            if run.count == 1 {
                items.append(.single(run[0]))
            } else if run.count > 1 {
                items.append(.run(Run(run, compress: compress)))
            }
            run = []
            runBytes = 0
        }
        for frame in frames {
            guard batches, case .board = frame.topic else {
                endRun()
                items.append(.single(frame))
                continue
            }
            if run.count == Self.maxFramesPerBatch || runBytes + frame.text.utf8.count > Self.maxBatchBytes { endRun() }
            run.append(frame)
            runBytes += frame.text.utf8.count
        }
        endRun()
        self.items = items
    }

    /// The frames in it that a connection of `viewerId` receives.
    func frameCount(visibleTo viewerId: String) -> Int {
        items.reduce(0) { count, item in
            switch item {
            case .single(let frame): count + (frame.isVisible(to: viewerId) ? 1 : 0)
            case .run(let run): count + run.frames.count
            }
        }
    }

    /// `{"type":"batch","seq":<the last frame's>,"frames":[…]}` around frames already encoded.
    fileprivate static func batchText(_ run: [LiveFrame], _ text: KeyPath<LiveFrame, String>) -> String {
        #"{"type":"batch","seq":\#(run.last?.seq ?? 0),"frames":["# + run.map { $0[keyPath: text] }.joined(separator: ",")
            + "]}"
    }
}

/// The members of `hello` but its seq, encoded once per resident or kiosk: a reconnect storm
/// brings the same residents back by the thousand.
final class Greetings: Sendable {
    private let byViewer = Mutex<[Session.Viewer: String]>([:])
    private static let limit = 10_000

    /// `resident` on a resident's connection, `kiosk` on a kiosk's.
    private struct Members: Encodable {
        var resident: Resident?
        var kiosk: Kiosk?
        var heartbeatSeconds: Int
    }

    func members(for viewer: Session.Viewer, heartbeatSeconds: Int) -> String {
        if let members = byViewer.withLock({ $0[viewer] }) { return members }
        var members = Members(heartbeatSeconds: heartbeatSeconds)
        switch viewer {
        case .resident(let resident): members.resident = resident
        case .kiosk(let kiosk): members.kiosk = kiosk
        }
        let text = ControlFrame.text(members)
        byViewer.withLock { byViewer in
            if byViewer.count >= Self.limit { byViewer.removeAll(keepingCapacity: true) }
            byViewer[viewer] = text
        }
        return text
    }
}

/// Frames that are not events: built per connection.
enum ControlFrame {
    struct Pong: Encodable {
        var type = "pong"
        var t: Double?
    }

    struct ErrorFrame: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var type = "error"
        var error: Detail
    }

    static func text(_ value: some Encodable) -> String {
        (try? String(decoding: DomainJSON.encoder().encode(value), as: UTF8.self)) ?? "{}"
    }

    /// The answer to a client message the server does not take.
    static func error(_ rejection: LiveClientMessage.Rejection, in language: Language) -> String {
        text(ErrorFrame(error: .init(code: rejection.code, message: rejection.message.text(in: language))))
    }
}

/// The text of a live frame.
enum FrameText {
    /// `{"type":…,"seq":…,` followed by the members of `object` (a JSON object's text).
    static func splice(type: String, seq: Int64, into object: some StringProtocol) -> String {
        let members = object.drop { $0 != "{" }.dropFirst()
        let head = #"{"type":"\#(type)","seq":\#(seq)"#
        return members.trimmingCharacters(in: .whitespaces) == "}" ? head + "}" : head + "," + members
    }
}
