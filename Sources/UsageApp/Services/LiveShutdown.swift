import Logging
import ServiceLifecycle

/// Closes every live connection with 1001 when shutdown begins, before the server stops.
///
/// It must come after the application in the service group: services stop in reverse
/// order, and the server, told first, would close the sockets itself with 1000
/// (hummingbird-websocket does so on graceful shutdown).
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
