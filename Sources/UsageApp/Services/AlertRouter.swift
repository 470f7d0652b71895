import DeviceState
import Foundation
import Logging
import Notify
import ServiceLifecycle

/// Routes each alert to the resident's attention once: live, or by Web Push.
///
/// - An alert whose resident has no open connection is queued for push at once (the
///   event tailer reports it through ``routeNow(_:)``).
/// - An alert sent live must be acknowledged (`ack` frame) within ``ackTimeout``; every
///   second the router queues the push fallback of those that were not.
///
/// The state lives in the database (`alerts.ackedAt`, `alerts.pushQueuedAt`), so cron's
/// `washboard reconcile` routes alerts created while no server ran, and never twice. What
/// happens to an alert is ``AlertRouting``'s decision; what its push looks like is Notify's
/// ``AlertPush``.
struct AlertRouter: Service {
    let store: any AlertStore
    var ackTimeout: TimeInterval = 10
    var interval: Duration = .seconds(1)
    var timeZone = TimeZone.current
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await route(ids: nil)
                try? await Task.sleep(for: interval)
            }
        }
    }

    func routeNow(_ ids: [String]) async {
        await route(ids: ids)
    }

    private func route(ids: [String]?) async {
        let now = Date()
        do {
            let pushed = try await store.routeAlerts(
                createdBefore: now.addingTimeInterval(-ackTimeout), ids: ids, timeZone: timeZone, at: now,
                drafting: AlertPush.draft)
            for routed in pushed {
                logger.debug(
                    "alert queued for push",
                    metadata: [
                        "alert": "\(routed.alert.id)", "kind": "\(routed.alert.kind.rawValue)", "unreached": "\(ids != nil)",
                        "reason": "\(routed.reason.rawValue)",
                    ])
            }
        } catch {
            logger.error("routing alerts failed", metadata: ["error": "\(error)"])
        }
    }
}
