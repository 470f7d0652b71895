import DeviceState
import Foundation
import Notify
import Testing

@Suite("How an alert travels as a push message")
struct AlertPushTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func routed(
        _ kind: Alert.Kind, machineId: String? = "W1", silent: Bool = false, urgent: Bool = false, endsIn: TimeInterval? = nil
    ) -> RoutedAlert {
        RoutedAlert(
            alert: Alert(
                id: "a1", residentId: "ada", kind: kind, title: "Washer 1 is done", body: "Collect it.", machineId: machineId,
                useId: "u1", dedupeKey: "k", at: now),
            silent: silent, urgent: urgent, useEndsAt: endsIn.map { now.addingTimeInterval($0) })
    }

    @Test("a cycle_done wakes the phone (high), collapses by machine, and is worth an hour")
    func cycleDone() throws {
        let draft = try AlertPush.draft(for: Self.routed(.cycleDone), at: Self.now)
        #expect(draft.urgency == .high && draft.topic == "machine-W1")
        #expect(draft.expiresAt.timeIntervalSince(Self.now) == 3600)
        #expect(draft.residentId == "ada" && draft.alertId == "a1")
        let payload = try JSONDecoder().decode(AlertPush.Payload.self, from: Data(draft.payload.utf8))
        #expect(payload.title == "Washer 1 is done" && payload.url == "/#machine-W1" && payload.tag == "machine-W1")
        #expect(!payload.silent)
    }

    @Test("time to live and urgency per kind; an ending_soon lives until the end, at least a minute")
    func perKind() throws {
        let expected: [(Alert.Kind, PushUrgency, TimeInterval)] = [
            (.cycleDone, .high, 3600), (.pickupRequest, .high, 1800), (.pickupReminder, .normal, 1200),
            (.useClosed, .normal, 3600), (.notice, .normal, 86400), (.endingSoon, .normal, 240),
        ]
        for (kind, urgency, ttl) in expected {
            let draft = try AlertPush.draft(for: Self.routed(kind, endsIn: 240), at: Self.now)
            #expect(draft.urgency == urgency && draft.expiresAt.timeIntervalSince(Self.now) == ttl, "\(kind)")
        }
        let late = try AlertPush.draft(for: Self.routed(.endingSoon, endsIn: 10), at: Self.now)
        #expect(late.expiresAt.timeIntervalSince(Self.now) == 60)
    }

    @Test("the router's silent and urgent reach the message: silent in the payload, urgent as Urgency: high")
    func routerDecisions() throws {
        let silent = try AlertPush.draft(for: Self.routed(.cycleDone, silent: true), at: Self.now)
        #expect(try JSONDecoder().decode(AlertPush.Payload.self, from: Data(silent.payload.utf8)).silent)
        #expect(try AlertPush.draft(for: Self.routed(.notice, urgent: true), at: Self.now).urgency == .high)
    }

    @Test("an alert about no machine collapses by its own id; topics keep to 32 base64url characters")
    func topics() throws {
        let draft = try AlertPush.draft(for: Self.routed(.notice, machineId: nil), at: Self.now)
        #expect(draft.topic == "alert-a1")
        let odd = try AlertPush.draft(for: Self.routed(.cycleDone, machineId: "Hall·A/W1 extra-long-machine-name"), at: Self.now)
        let topic = try #require(odd.topic)
        #expect(PushMessage.isValidTopic(topic) && topic.count == 32 && topic.hasPrefix("machine-HallAW1"))
    }
}
