import DeviceState
import Foundation
import Logging
import ServiceLifecycle

/// Follows the event log and hands new events to the hub.
///
/// Woken at once by the commits ``CommitNotifier`` hears of (this process's; on PostgreSQL,
/// every instance's); polls every ``pollInterval`` for the others (on SQLite, the admin
/// CLI's and cron's), and then also refreshes the board cache, so their changes reach open
/// boards within a poll.
/// The reconciler prunes the log.
struct EventTailer: Service {
    let store: any EventLog
    let hub: LiveHub
    let boardCache: BoardCache<BoardSnapshot>
    let logger: Logger
    var pollInterval: Duration
    /// Events read per query while catching up.
    var batchSize = 500
    /// Told the alerts among the published events: those whose resident had no open
    /// connection here, and those handed to open connections.
    var onPublishedAlerts: @Sendable (LiveHub.PublishedAlerts) async -> Void = { _ in }

    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(store: any EventLog, hub: LiveHub, boardCache: BoardCache<BoardSnapshot>, logger: Logger) {
        self.store = store
        self.hub = hub
        self.boardCache = boardCache
        self.logger = logger
        self.pollInterval = store.pollInterval
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        store.commits.observe { [wake] _ in wake.yield() }
    }

    func run() async throws {
        var cursor = try await warmRing()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { [wake, pollInterval] in
                    // Ends quietly when cancelled: a shutdown is not an error of this service.
                    while (try? await Task.sleep(for: pollInterval)) != nil {
                        wake.yield()
                    }
                }
                for await _ in wakes {
                    do {
                        cursor = try await catchUp(from: cursor)
                    } catch {
                        logger.error("reading the event log failed", metadata: ["error": "\(error)"])
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [wake] in
            wake.finish()
        }
    }

    /// Fills the hub's ring with the newest retained events, so that clients resuming after a
    /// restart are served from memory; returns the head read, where tailing starts.
    private func warmRing() async throws -> Int64 {
        let head = try await store.headSeq()
        let from = max(0, head - Int64(hub.ring.capacity))
        let events = try await store.events(after: from, limit: hub.ring.capacity).filter { $0.seq <= head }
        hub.ring.warm(after: from, head: head, oldest: try await store.oldestRetainedSeq(), events: events)
        return head
    }

    /// Publishes every event after `cursor`; returns the new cursor.
    private func catchUp(from cursor: Int64) async throws -> Int64 {
        var alerts = LiveHub.PublishedAlerts()
        let next = try await store.readEvents(after: cursor, batchSize: batchSize) { events in
            let published = hub.publish(events)
            alerts.unreached += published.unreached
            alerts.live += published.live
            boardCache.invalidate(headSeq: events.last?.seq ?? cursor)
        }
        if !alerts.unreached.isEmpty || !alerts.live.isEmpty { await onPublishedAlerts(alerts) }
        return next
    }
}
