import Foundation

/// Alerts on their way to the resident's attention: acknowledged live, or routed to push.
public protocol AlertStore: Sendable {
    /// Marks the resident's alert as seen in an open app; its push fallback is then never sent.
    /// - Returns: false for an unknown alert, another resident's, or one acknowledged before.
    func acknowledgeAlert(_ id: String, residentId: String, at now: Date) async throws -> Bool

    /// Routes the alerts that no open app acknowledged: those created before `cutoff` (the
    /// ack timeout ago), or exactly `ids` (residents with no open app). The transaction that
    /// reads an unrouted alert applies ``AlertRouting``'s answer to it: pushed (its messages
    /// queued through `drafting`), held until a time, or dropped. Two routers at once (cron
    /// and serve, several servers) route each alert once.
    /// - Parameter timeZone: the dorm's, on whose wall clock quiet hours are read.
    /// - Returns: the alerts queued for push.
    @discardableResult
    func routeAlerts(
        createdBefore cutoff: Date, ids: [String]?, timeZone: TimeZone, at now: Date, drafting: @escaping PushDrafting
    ) async throws -> [RoutedAlert]
}
