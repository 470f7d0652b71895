import DeviceState
import Foundation
import Testing

@Suite("Rule: what an open use is due")
struct UseScheduleTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let machine = Machine(
        id: "W1", kind: .washer, label: "Washer 1", location: "Hall A", cycleMinutes: 45, updatedAt: start)

    static func use(minutes: Double = 45, closed: Bool = false) -> Use {
        Use(
            id: "u1", machineId: "W1", residentId: "ada", startedAt: start, endsAt: start.addingTimeInterval(minutes * 60),
            closedAt: closed ? start : nil, closeReason: closed ? .cancelled : nil)
    }

    static func at(_ minutes: Double, use: Use = use(), cycleDoneAt: Double? = nil) -> UseSchedule {
        UseSchedule(
            use: use, machine: machine, cycleDoneAlertedAt: cycleDoneAt.map { start.addingTimeInterval($0 * 60) },
            at: start.addingTimeInterval(minutes * 60), policy: ReconcilerPolicy())
    }

    @Test("ending_soon from 5 minutes before the end, cycle_done from the end, with their dedupe keys and sentences")
    func cycleAlerts() throws {
        #expect(Self.at(39).alerts.isEmpty)
        let soon = try #require(Self.at(40).alerts.first)
        #expect(Self.at(40).alerts.count == 1 && soon.kind == .endingSoon && soon.dedupeKey == "ending_soon:u1")
        #expect(soon.title == "Washer 1 is almost done" && soon.body == "Your laundry in Washer 1 (Hall A) is done in 5 min.")
        #expect(Self.at(44.5).alerts.first?.body == "Your laundry in Washer 1 (Hall A) is done in 1 min.")
        let done = try #require(Self.at(45).alerts.first)
        #expect(Self.at(45).alerts.count == 1 && done.kind == .cycleDone && done.dedupeKey == "cycle_done:u1")
        #expect(done.title == "Washer 1 is done" && done.body == "Your laundry in Washer 1 (Hall A) is ready to collect.")
        #expect(done.residentId == "ada" && done.machineId == "W1" && done.useId == "u1")
    }

    @Test("a cycle shorter than 10 minutes gets no ending_soon")
    func shortCycle() {
        let short = Self.use(minutes: 5)
        #expect(Self.at(1, use: short).alerts.isEmpty && Self.at(4.9, use: short).alerts.isEmpty)
        #expect(Self.at(5, use: short).alerts.map(\.kind) == [.cycleDone])
    }

    @Test("reminders: 10 min after the end and 10 min after the cycle_done alert, every 20 min, at most 3")
    func reminders() {
        func reminder(_ minutes: Double, cycleDoneAt: Double?) -> String? {
            Self.at(minutes, cycleDoneAt: cycleDoneAt).alerts.first { $0.kind == .pickupReminder }?.dedupeKey
        }
        #expect(reminder(54, cycleDoneAt: 45) == nil)
        #expect(reminder(55, cycleDoneAt: 45) == "pickup_reminder:u1:1")
        #expect(reminder(55, cycleDoneAt: nil) == nil, "no cycle_done alert yet: it goes first")
        #expect(reminder(74, cycleDoneAt: 45) == "pickup_reminder:u1:1")
        #expect(reminder(75, cycleDoneAt: 45) == "pickup_reminder:u1:2")
        #expect(reminder(160, cycleDoneAt: 45) == "pickup_reminder:u1:3")
        #expect(reminder(160, cycleDoneAt: 155) == nil, "a late cycle_done pushes the next reminder back")
        #expect(
            Self.at(75, cycleDoneAt: 45).alerts.first { $0.kind == .pickupReminder }?.body
                == "Your laundry has been in Washer 1 (Hall A) for 30 min since it finished.")
        var none = ReconcilerPolicy()
        none.maxReminders = 0
        #expect(
            UseSchedule(
                use: Self.use(), machine: Self.machine, cycleDoneAlertedAt: Self.start,
                at: Self.start.addingTimeInterval(100 * 60), policy: none
            ).alerts.map(\.kind) == [.cycleDone])
    }

    @Test("two hours after the end the use is auto-released, with no alert; a closed use is due nothing")
    func autoRelease() {
        #expect(!Self.at(164.9).autoRelease)
        let released = Self.at(165, cycleDoneAt: 45)
        #expect(released.autoRelease && released.alerts.isEmpty)
        let closed = Self.at(50, use: Self.use(closed: true))
        #expect(!closed.autoRelease && closed.alerts.isEmpty)
    }
}
