import Notify
import ServiceLifecycle

/// Runs the push outbox worker for as long as the server runs.
///
/// On shutdown the pass in flight finishes (at most one push timeout), so that every
/// message a push service accepted is recorded as delivered.
struct PushDeliveryService: Service {
    let delivery: PushDelivery
    let sender: PushSender

    func run() async throws {
        await cancelWhenGracefulShutdown { await delivery.run() }
        try await sender.shutdown()
    }
}
