import DeviceState
import Foundation

/// How an alert travels as a push message: its payload for the service worker, and the
/// `TTL`, `Urgency` and `Topic` (RFC 8030 §5) that tell the push service how to treat it.
///
/// The router (DeviceState) decides whether, when and how loudly an alert is pushed;
/// this decides what the message looks like. ``draft(for:at:)`` is the ``PushDrafting``
/// that the router's callers hand to the store.
public enum AlertPush {
    /// What the service worker receives. It always shows a notification; `tag` collapses
    /// repeats about one machine on the device.
    public struct Payload: Codable, Sendable, Hashable {
        public var id: String
        public var kind: Alert.Kind
        public var title: String
        public var body: String
        public var url: String
        public var tag: String
        public var silent: Bool
    }

    /// How long a push service keeps the message for an offline device: as long as it is news.
    /// - Parameter endsAt: the end of the alert's use, for `ending_soon`.
    public static func timeToLive(of kind: Alert.Kind, endsAt: Date?, at now: Date) -> TimeInterval {
        switch kind {
        case .endingSoon: max(60, (endsAt ?? now).timeIntervalSince(now))
        case .cycleDone, .useClosed, .machineRepaired: 3600
        case .pickupRequest: 30 * 60
        // A free machine is soon taken: news a quarter of an hour old is wrong more often than not.
        case .machineFree: 15 * 60
        case .pickupReminder: 20 * 60
        case .notice, .reportConfirmed: 24 * 3600
        }
    }

    /// `high` wakes a sleeping phone at once: for what someone should act on now.
    public static func urgency(of kind: Alert.Kind) -> PushUrgency {
        switch kind {
        case .cycleDone, .pickupRequest, .machineFree: .high
        case .endingSoon, .pickupReminder, .useClosed, .notice, .reportConfirmed, .machineRepaired: .normal
        }
    }

    /// The push message for an alert the router pushes, in the resident's language: urgent
    /// notices go out at `high`.
    @Sendable public static func draft(for routed: RoutedAlert, at now: Date) throws -> PushDraft {
        let alert = routed.alert.rendered(in: routed.language)
        let tag = alert.machineId.map { "machine-\($0)" } ?? "alert-\(alert.id)"
        let payload = Payload(
            id: alert.id, kind: alert.kind, title: alert.title, body: alert.body,
            url: alert.machineId.map { "/#machine-\($0)" } ?? "/", tag: tag, silent: routed.silent)
        return PushDraft(
            residentId: alert.residentId, alertId: alert.id,
            payload: String(decoding: try DomainJSON.encoder().encode(payload), as: UTF8.self),
            urgency: routed.urgent ? .high : urgency(of: alert.kind), topic: topic(tag),
            expiresAt: now.addingTimeInterval(timeToLive(of: alert.kind, endsAt: routed.useEndsAt, at: now)))
    }

    /// A collapse key from the tag: at most 32 characters of the base64url alphabet, so that
    /// a newer message about a machine replaces an undelivered older one.
    static func topic(_ tag: String) -> String {
        String(decoding: tag.utf8.filter(Base64URL.isAlphabet).prefix(32), as: UTF8.self)
    }
}
