import DeviceState
import Foundation
import Synchronization

/// The open live connections, and the fan-out of new events to them.
///
/// Each event's frame is encoded once, then pushed into every interested connection's
/// ``Mailbox`` without waiting: a slow connection overflows its own mailbox and is closed
/// with 4008, the others do not notice.
final class LiveHub: Sendable {
    struct Subscriber: Sendable {
        var residentId: String
        var mailbox: Mailbox
    }

    /// Frames a connection may fall behind by before it is closed as too slow. Frames are
    /// shared, so a full mailbox holds only references; it must absorb a burst that the
    /// tailer reads in one poll after another process's bulk change.
    let mailboxCapacity: Int
    let metrics = LiveMetrics()
    private struct Subscribers {
        var next = 0
        var byID: [Int: Subscriber] = [:]
        /// Set by ``shutDown()``: a connection arriving later is closed at once.
        var shuttingDown = false
    }
    private let subscribers = Mutex(Subscribers())

    init(mailboxCapacity: Int = 1024) {
        self.mailboxCapacity = mailboxCapacity
    }

    /// Registers a connection; it receives every frame published from now on that it may see.
    /// During shutdown its mailbox is shut down from the start, so the connection closes
    /// with 1001 at once: a client reconnecting quickly must not hold the stopping server open.
    func subscribe(residentId: String) -> (id: Int, mailbox: Mailbox) {
        let mailbox = Mailbox(capacity: mailboxCapacity)
        let (id, count, shuttingDown) = subscribers.withLock { state in
            defer { state.next += 1 }
            state.byID[state.next] = Subscriber(residentId: residentId, mailbox: mailbox)
            return (state.next, state.byID.count, state.shuttingDown)
        }
        metrics.connections.record(count)
        if shuttingDown { mailbox.shutDown() }
        return (id, mailbox)
    }

    /// Removes a connection; does nothing when it is already gone.
    func unsubscribe(_ id: Int) {
        let count = subscribers.withLock { state -> Int? in
            state.byID.removeValue(forKey: id) == nil ? nil : state.byID.count
        }
        if let count { metrics.connections.record(count) }
    }

    var connectionCount: Int { subscribers.withLock { $0.byID.count } }

    /// Hands each event's frame to the connections that see it.
    /// - Returns: the alerts among `events` whose resident has no open connection, for the
    ///   alert router to push at once.
    @discardableResult
    func publish(_ events: [Event]) -> [String] {
        guard !events.isEmpty else { return [] }
        let frames = events.map(LiveFrame.init)
        let current = subscribers.withLock { Array($0.byID.values) }
        var unreached: [String] = []
        for (event, frame) in zip(events, frames) {
            var reached = false
            for subscriber in current where frame.isVisible(to: subscriber.residentId) {
                subscriber.mailbox.push(frame)
                reached = true
            }
            if event.kind == .alert, !reached, let id = Self.alertId(of: event) { unreached.append(id) }
        }
        return unreached
    }

    private struct AlertPayload: Decodable {
        struct Identified: Decodable { var id: String }
        var alert: Identified
    }

    private static func alertId(of event: Event) -> String? {
        try? JSONDecoder().decode(AlertPayload.self, from: event.payload).alert.id
    }

    /// The server is going away: every connection closes with 1001.
    func shutDown() {
        let current = subscribers.withLock { state in
            state.shuttingDown = true
            return Array(state.byID.values)
        }
        for subscriber in current { subscriber.mailbox.shutDown() }
    }
}
