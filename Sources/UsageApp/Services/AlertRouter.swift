import DeviceState
import Foundation
import Logging
import Notify
import ServiceLifecycle

/// Routes each alert to the resident's attention once: live, or by Web Push.
///
/// - An alert whose resident has no open connection, here or on another instance, is
///   queued for push at once (the event tailer reports it through ``routeNow(_:)``; other
///   instances' connections are known from what their ``PresenceReporter``s report).
/// - An alert sent live must be acknowledged (`ack` frame) within ``ackTimeout``; every
///   second the router queues the push fallback of those that were not.
///
/// The state lives in the database (`alerts.ackedAt`, `alerts.pushQueuedAt`), so cron's
/// `washboard reconcile` routes alerts created while no server ran, and never twice. What
/// happens to an alert is ``AlertRouting``'s decision; what its push looks like is Notify's
/// ``AlertPush``.
struct AlertRouter: Service {
    let store: any AlertStore & PresenceStore
    /// This server instance: its own connections the hub knows better than the store.
    let instance: String
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

    /// Routes at once the alerts that reached no connection here, but for residents with
    /// an open app on another live instance: theirs wait for the ack timeout like any alert sent live.
    func routeNow(_ unreached: [LiveHub.UnreachedAlert]) async {
        let elsewhere: Set<String>
        do {
            elsewhere = try await store.presentResidents(
                among: Set(unreached.map(\.residentId)), elsewhereThan: instance, heardWithin: PresenceReporter.freshness)
        } catch {
            logger.error("reading presence failed", metadata: ["error": "\(error)"])
            elsewhere = []
        }
        let ids = unreached.filter { !elsewhere.contains($0.residentId) }.map(\.alertId)
        if !ids.isEmpty { await route(ids: ids) }
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
