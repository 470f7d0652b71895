import DeviceState
import Foundation
import Logging
import ServiceLifecycle

/// Tells the store which residents have the app open on this instance, so that the alert
/// routers of the other instances do not push at once to a resident who is looking.
///
/// It reports within ``reportDelay`` of a connection opening or closing, and every
/// ``heartbeat`` in any case; an instance that stops reporting (it died) is forgotten after
/// ``freshness``. On shutdown it withdraws its report.
struct PresenceReporter: Service {
    let store: any PresenceStore
    let hub: LiveHub
    let instance: String
    let logger: Logger
    var reportDelay: Duration = .milliseconds(100)
    var heartbeat: Duration = .seconds(5)
    /// How long a report counts: three heartbeats.
    static let freshness: TimeInterval = 15

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var reported: Int?
            var lastAttempt = ContinuousClock.now
            var failing = false
            while !Task.isCancelled {
                let (residents, version) = hub.presence
                // While the database fails, one attempt per heartbeat, and one log line.
                let due = ContinuousClock.now - lastAttempt >= heartbeat
                if (version != reported && !failing) || due {
                    lastAttempt = .now
                    do {
                        try await store.reportPresence(instance: instance, residents: residents)
                        reported = version
                        failing = false
                    } catch {
                        if !failing { logger.error("reporting presence failed", metadata: ["error": "\(error)"]) }
                        failing = true
                    }
                }
                try? await Task.sleep(for: reportDelay)
            }
        }
        try? await store.withdrawPresence(instance: instance)
    }
}
