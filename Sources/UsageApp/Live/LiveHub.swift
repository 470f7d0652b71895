import DeviceState
import Foundation
import NIOCore
import Synchronization

/// The open live connections, and the fan-out of new events to them.
///
/// Each event's frame is encoded (and compressed) once. The hub hands a tailer read to
/// each event loop that has connections, with one `execute` per loop; the loop writes the
/// shared frames to each of its connections and flushes each once (``LiveLoop``). No task,
/// continuation or copy is made per recipient. A connection whose socket stays unwritable
/// while ``maxFramesBehind`` more frames are queued for it is closed with 4008; the
/// others do not notice.
final class LiveHub: Sendable {
    /// Frames a connection may fall behind by, once its socket stopped taking bytes, before
    /// it is closed as too slow. It must absorb a burst that the tailer reads in one poll
    /// after another process's bulk change.
    let maxFramesBehind: Int
    let metrics = LiveMetrics()
    let ring: LiveRing

    private struct Registry {
        var loops: [ObjectIdentifier: LiveLoop] = [:]
        var count = 0
        /// Open connections by resident (or kiosk) id.
        var perViewer: [String: Int] = [:]
        /// Moves with every connection that opens or closes.
        var version = 0
        /// Set by ``shutDown()``: a connection arriving later is closed at once.
        var shuttingDown = false
    }
    private let registry = Mutex(Registry())

    init(maxFramesBehind: Int = 1024, ringCapacity: Int = 4096) {
        self.maxFramesBehind = maxFramesBehind
        ring = LiveRing(capacity: ringCapacity)
    }

    /// Counts a connection of `viewerId` on `eventLoop`; returns the loop's shard, and
    /// whether the server is shutting down (the connection then closes with 1001 at once:
    /// a client reconnecting quickly must not hold the stopping server open).
    func join(_ viewerId: String, on eventLoop: any EventLoop) -> (loop: LiveLoop, shuttingDown: Bool) {
        registry.withLock { state in
            state.count += 1
            state.version += 1
            state.perViewer[viewerId, default: 0] += 1
            // Recorded under the lock, so that the gauge ends where the count does.
            metrics.connections.record(state.count)
            let key = ObjectIdentifier(eventLoop)
            let loop = state.loops[key] ?? LiveLoop(eventLoop: eventLoop, metrics: metrics)
            state.loops[key] = loop
            return (loop, state.shuttingDown)
        }
    }

    /// Uncounts a connection that ``join(_:on:)`` counted.
    func leave(_ viewerId: String) {
        registry.withLock { state in
            state.count -= 1
            state.version += 1
            if state.perViewer[viewerId, default: 1] <= 1 {
                state.perViewer[viewerId] = nil
            } else {
                state.perViewer[viewerId]! -= 1
            }
            metrics.connections.record(state.count)
        }
    }

    var connectionCount: Int { registry.withLock { $0.count } }

    /// Open connections of one resident or kiosk.
    func connectionCount(of viewerId: String) -> Int { registry.withLock { $0.perViewer[viewerId] ?? 0 } }

    /// The residents with an open connection here, and a number that moves whenever a
    /// connection opens or closes (so a reporter can tell when the set may have changed).
    var presence: (residents: Set<String>, version: Int) {
        registry.withLock { state in (Set(state.perViewer.keys), state.version) }
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

    /// Hands each event's frame to the connections that see it: into the ring first, so a
    /// connection joining meanwhile finds it there if its loop's delivery misses it.
    @discardableResult
    func publish(_ events: [Event]) -> PublishedAlerts {
        guard let last = events.last else { return PublishedAlerts() }
        let frames = events.map { LiveFrame($0) }
        ring.append(frames, head: last.seq)
        let burst = LiveBurst(frames)
        let (loops, perViewer) = registry.withLock { state in (Array(state.loops.values), state.perViewer) }
        for loop in loops { loop.deliver(burst) }

        var alerts = PublishedAlerts()
        for frame in frames {
            guard case .resident(let residentId) = frame.topic, let id = frame.alertId else { continue }
            if let sockets = perViewer[residentId] {
                alerts.live.append(LiveDelivery(alertId: id, sockets: sockets))
            } else {
                alerts.unreached.append(UnreachedAlert(alertId: id, residentId: residentId))
            }
        }
        return alerts
    }

    /// The server is going away: every connection closes with 1001.
    func shutDown() {
        let loops = registry.withLock { state in
            state.shuttingDown = true
            return Array(state.loops.values)
        }
        for loop in loops { loop.closeAll() }
    }
}
