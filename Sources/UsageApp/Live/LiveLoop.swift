import Foundation
import NIOCore
import Synchronization

/// The live connections of one event loop, and the fan-out to them.
///
/// Bursts arrive from the tailer's task into the inbox; the first one schedules a drain on
/// the loop, and bursts arriving before it runs join it. The drain writes each burst's
/// shared frames to every connection and flushes each connection once. Apart from the
/// inbox, everything here is touched on the loop only.
final class LiveLoop: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let metrics: LiveMetrics
    private var connections: [LiveConnection] = []
    /// Inflates the client messages of this loop's connections.
    let inflater = LiveInflater()
    private let inbox = Mutex<(bursts: [LiveBurst], drainScheduled: Bool)>(([], false))
    private var heartbeats: RepeatedTask?

    init(eventLoop: any EventLoop, metrics: LiveMetrics) {
        self.eventLoop = eventLoop
        self.metrics = metrics
    }

    func add(_ connection: LiveConnection) {
        eventLoop.preconditionInEventLoop()
        connection.index = connections.count
        connections.append(connection)
        if heartbeats == nil {
            // One timer per loop instead of one per connection.
            heartbeats = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                let now = NIODeadline.now()
                for connection in self.connections { connection.heartbeat(at: now) }
            }
        }
    }

    func remove(_ connection: LiveConnection) {
        eventLoop.preconditionInEventLoop()
        let index = connection.index
        guard index < connections.count, connections[index] === connection else { return }
        connections.swapAt(index, connections.count - 1)
        connections[index].index = index
        connections.removeLast()
        if connections.isEmpty {
            // No timer left behind by a hub that has no connections on this loop any more.
            heartbeats?.cancel()
            heartbeats = nil
        }
    }

    /// From any thread: hands a tailer read to this loop's connections.
    func deliver(_ burst: LiveBurst) {
        let schedule = inbox.withLock { inbox in
            inbox.bursts.append(burst)
            defer { inbox.drainScheduled = true }
            return !inbox.drainScheduled
        }
        if schedule { eventLoop.execute { self.drain() } }
    }

    private func drain() {
        let bursts = inbox.withLock { inbox in
            defer { inbox = ([], false) }
            return inbox.bursts
        }
        var written = 0
        // Iterates a copy: a connection may close, and leave the list, while it is written to.
        for connection in connections {
            var frames = 0
            for burst in bursts { frames += connection.send(burst) }
            if frames > 0 { connection.flush() }
            written += frames
        }
        guard written > 0 else { return }
        metrics.framesSent.increment(by: Int64(written))
        if let newest = bursts.last?.publishedAt {
            metrics.fanOutLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - newest))
        }
    }

    /// From any thread: closes every connection of this loop with 1001.
    func closeAll() {
        eventLoop.execute {
            for connection in self.connections { connection.close(.goingAway) }
        }
    }
}
