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
        /// Moves with every connection that opens or closes.
        var version = 0
        /// Open connections by resident (or kiosk) id.
        var perViewer: [String: Int] = [:]
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
            state.version += 1
            state.byID[state.next] = Subscriber(residentId: residentId, mailbox: mailbox)
            state.perViewer[residentId, default: 0] += 1
            return (state.next, state.byID.count, state.shuttingDown)
        }
        metrics.connections.record(count)
        if shuttingDown { mailbox.shutDown() }
        return (id, mailbox)
    }

    /// Removes a connection; does nothing when it is already gone.
    func unsubscribe(_ id: Int) {
        let count = subscribers.withLock { state -> Int? in
            guard let gone = state.byID.removeValue(forKey: id) else { return nil }
            state.version += 1
            if state.perViewer[gone.residentId, default: 1] <= 1 {
                state.perViewer[gone.residentId] = nil
            } else {
                state.perViewer[gone.residentId]! -= 1
            }
            return state.byID.count
        }
        if let count { metrics.connections.record(count) }
    }

    var connectionCount: Int { subscribers.withLock { $0.byID.count } }

    /// Open connections of one resident or kiosk.
    func connectionCount(of residentId: String) -> Int { subscribers.withLock { $0.perViewer[residentId] ?? 0 } }

    /// The residents with an open connection here, and a number that moves whenever a
    /// connection opens or closes (so a reporter can tell when the set may have changed).
    var presence: (residents: Set<String>, version: Int) {
        subscribers.withLock { state in (Set(state.byID.values.map(\.residentId)), state.version) }
    }

    /// An alert whose resident had no open connection here when it was published.
    struct UnreachedAlert: Sendable, Hashable {
        var alertId: String
        var residentId: String
    }

    /// What became of the alerts among published events.
    struct PublishedAlerts: Sendable {
        /// Alerts whose resident had no open connection here: for the alert router to push
        /// at once unless the resident has one on another instance.
        var unreached: [UnreachedAlert] = []
        /// Alerts handed to open connections here, for their ledgers.
        var live: [LiveDelivery] = []
    }

    /// Hands each event's frame to the connections that see it.
    @discardableResult
    func publish(_ events: [Event]) -> PublishedAlerts {
        guard !events.isEmpty else { return PublishedAlerts() }
        let frames = events.map(LiveFrame.init)
        let current = subscribers.withLock { Array($0.byID.values) }
        var alerts = PublishedAlerts()
        for (event, frame) in zip(events, frames) {
            var sockets = 0
            for subscriber in current where frame.isVisible(to: subscriber.residentId) {
                subscriber.mailbox.push(frame)
                sockets += 1
            }
            guard case .resident(let residentId) = event.topic, let id = frame.alertId else { continue }
            if sockets == 0 {
                alerts.unreached.append(UnreachedAlert(alertId: id, residentId: residentId))
            } else {
                alerts.live.append(LiveDelivery(alertId: id, sockets: sockets))
            }
        }
        return alerts
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
