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

/// A resident's alerts as they look back at them, with the ledger of each.
public protocol AlertHistoryStore: Sendable {
    /// The resident's alerts created at or after `since`, newest first; after the alert
    /// `before` (the last of the previous page) when given.
    /// - Throws: ``DeviceStateError/alertNotFound(id:)`` for a `before` that is not the resident's.
    func alertHistory(of residentId: String, since: Date, before: String?, limit: Int) async throws -> [AlertEntry]
    /// How many of the resident's alerts created at or after `since` are unread.
    func unreadAlerts(of residentId: String, since: Date) async throws -> Int
    /// Marks the resident's alerts `ids` (nil: every one) read at `now`, and tells the
    /// resident's open connections (an `alerts_read` event). Others' ids are ignored.
    /// - Returns: how many were unread until now.
    @discardableResult
    func markAlertsRead(_ ids: [String]?, of residentId: String, at now: Date) async throws -> Int
    /// Records that this instance handed the alerts to open connections at `now`.
    func recordLiveDelivery(_ deliveries: [LiveDelivery], at now: Date) async throws
    /// Every alert's ledger, newest first, for `admin alerts`.
    func alertLedger(residentId: String?, since: Date, limit: Int) async throws -> [AlertEntry]
}
