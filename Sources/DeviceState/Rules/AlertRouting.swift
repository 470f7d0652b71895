import Foundation

/// What the router does with an alert that no open app acknowledged, and why.
public enum AlertRoute: Sendable, Hashable {
    /// Push it now; `silent` shows it without sound or vibration, `urgent` asks the push
    /// service to wake the device at once.
    case push(silent: Bool, urgent: Bool, because: Reason)
    /// Ask again at `until`.
    case hold(until: Date, because: Reason)
    /// Never push it: the resident does not want it, or the news is over.
    case drop(because: Reason)

    public enum Reason: String, Sendable, Hashable, Codable {
        /// No open app acknowledged it.
        case unacknowledged
        /// The resident's quiet hours: own cycle alerts go out silently, notices wait.
        case quietHours = "quiet_hours"
        /// An admin posted the notice with `--quiet`.
        case quietNotice = "quiet_notice"
        /// An admin posted the notice with `--urgent`: it goes out during quiet hours too.
        case urgentNotice = "urgent_notice"
        /// The resident muted this kind of alert.
        case muted
        /// The news is over: see ``AlertRouting/isStale(_:use:notice:at:)``.
        case stale
    }
}

/// The live-or-push router's rule: how an unacknowledged alert reaches the resident, if at all.
///
/// A store fetches what the rule reads (the resident's preferences, the dorm's default
/// quiet hours, the alert's use or notice) and applies the answer in the transaction that
/// claims the alert.
public enum AlertRouting {
    /// - Parameters:
    ///   - dormQuietHours: the dorm's default, for residents who set none.
    ///   - use: the use a laundry alert is about; `notice`: the notice a `notice` alert is about.
    ///   - timeZone: the dorm's, on whose wall clock quiet hours are read.
    public static func route(
        _ alert: Alert, preferences: Preferences, dormQuietHours: QuietHours?, use: Use?, notice: Notice?,
        timeZone: TimeZone, at now: Date
    ) -> AlertRoute {
        if preferences.mutedAlertKinds.contains(alert.kind) { return .drop(because: .muted) }
        if isStale(alert, use: use, notice: notice, at: now) { return .drop(because: .stale) }
        let quietHours = preferences.quietHours ?? dormQuietHours
        let inQuietHours = quietHours?.contains(now, in: timeZone) ?? false
        if let notice {
            if notice.urgent { return .push(silent: notice.quiet, urgent: true, because: .urgentNotice) }
            if let quietHours, inQuietHours {
                return .hold(until: quietHours.end(after: now, in: timeZone), because: .quietHours)
            }
            if notice.quiet { return .push(silent: true, urgent: false, because: .quietNotice) }
        } else if inQuietHours, isOwnCycle(alert.kind) {
            return .push(silent: true, urgent: false, because: .quietHours)
        }
        return .push(silent: false, urgent: false, because: .unacknowledged)
    }

    /// News that is over by the time the alert is routed: an `ending_soon` past the end,
    /// a laundry alert or pickup request about a use already closed, a notice no longer live.
    public static func isStale(_ alert: Alert, use: Use?, notice: Notice?, at now: Date) -> Bool {
        switch alert.kind {
        case .endingSoon: use.map { $0.endsAt <= now || !$0.isOpen } ?? false
        case .cycleDone, .pickupReminder, .pickupRequest: use.map { !$0.isOpen } ?? false
        case .notice: notice.map { !$0.isLive(at: now) } ?? false
        case .useClosed, .machineFree, .reportConfirmed, .machineRepaired: false
        }
    }

    /// The resident's own laundry: sent silently during their quiet hours.
    public static func isOwnCycle(_ kind: Alert.Kind) -> Bool {
        [.endingSoon, .cycleDone, .pickupReminder].contains(kind)
    }
}

/// An alert the router decided to push now, with what Notify needs to shape the message.
public struct RoutedAlert: Sendable, Hashable {
    public var alert: Alert
    public var silent: Bool
    public var urgent: Bool
    /// Why it is pushed, and so why silently or urgently.
    public var reason: AlertRoute.Reason
    /// The end of the alert's use: an `ending_soon` is worth delivering until then.
    public var useEndsAt: Date?
    /// The resident's language now (``Language/forResident(chosen:device:dormDefault:)``): the
    /// push is written in it when it is queued, not when the alert was created.
    public var language: Language

    public init(
        alert: Alert, silent: Bool, urgent: Bool, reason: AlertRoute.Reason = .unacknowledged, useEndsAt: Date?,
        language: Language = .english
    ) {
        self.alert = alert
        self.language = language
        self.silent = silent
        self.urgent = urgent
        self.reason = reason
        self.useEndsAt = useEndsAt
    }
}

/// Turns an alert the router pushes into a push message for the outbox: Notify's
/// `AlertPush.draft`, which owns payload, `TTL`, `Urgency` and `Topic`. Called inside the
/// transaction that claims the alert.
public typealias PushDrafting = @Sendable (RoutedAlert, Date) throws -> PushDraft
