import Logging
import ServiceLifecycle

/// Closes every live connection with 1001 when shutdown begins, before the server stops.
///
/// It must come after the application in the service group: services stop in reverse
/// order, so the hub's connections are told first and the server's quiescing, which waits
/// for every connection to close, comes after. The wait here ends once every event loop
/// has sent its connections their close frame (the hub then counts none).
struct LiveShutdown: Service {
    let hub: LiveHub
    /// How long to wait for clients to answer the close before the server goes on stopping.
    var patience: Duration = .seconds(2)

    func run() async throws {
        try? await gracefulShutdown()
        hub.shutDown()
        let deadline = ContinuousClock.now + patience
        while hub.connectionCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
