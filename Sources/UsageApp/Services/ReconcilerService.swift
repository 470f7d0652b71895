import DeviceState
import Foundation
import Logging
import ServiceLifecycle

/// The reconciler's notice and use steps inside `washboard serve`, every `interval`.
/// The push outbox has its own worker (``PushDeliveryService``).
struct ReconcilerService: Service {
    let store: any DeviceStore
    var policy = ReconcilerPolicy()
    var interval: Duration = .seconds(15)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let notices = try await store.reconcileNotices(at: Date(), dryRun: false)
                    let summary = try await store.reconcileUses(at: Date(), policy: policy, dryRun: false)
                    if summary != ReconcileSummary() || notices != (0, 0) {
                        logger.info(
                            "reconciled",
                            metadata: [
                                "uses": "\(summary.description)", "notices.published": "\(notices.published)",
                                "notices.expired": "\(notices.expired)",
                            ])
                    }
                } catch {
                    logger.error("reconciler pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
