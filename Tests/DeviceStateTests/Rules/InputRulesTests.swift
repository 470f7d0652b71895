import DeviceState
import Foundation
import Testing

@Suite("Rule: what residents and admins may enter")
struct InputRulesTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func machine(id: String = "W1", label: String = "Washer 1", location: String = "Hall A", minutes: Int = 45)
        -> Machine
    {
        Machine(id: id, kind: .washer, label: label, location: location, cycleMinutes: minutes, updatedAt: now)
    }

    @Test("a machine needs a printable id, a cycle of 1 to 240 minutes, a label and a location; both are trimmed")
    func machine() throws {
        let trimmed = try InputRules.machine(Self.machine(label: "  Washer 1 ", location: "Hall A\n"))
        #expect(trimmed.label == "Washer 1" && trimmed.location == "Hall A")
        for id in ["", "W 1", "W1;", "🧺", String(repeating: "W", count: 17)] {
            #expect(throws: DeviceStateError.invalidInput(field: "id", reason: .machineIdFormat)) {
                try InputRules.machine(Self.machine(id: id))
            }
        }
        for minutes in [0, 241] {
            #expect(throws: DeviceStateError.invalidInput(field: "minutes", reason: .cycleMinutes(1...240))) {
                try InputRules.machine(Self.machine(minutes: minutes))
            }
        }
        #expect(throws: DeviceStateError.invalidInput(field: "label", reason: .length(1...80))) {
            try InputRules.machine(Self.machine(label: "   "))
        }
        #expect(throws: DeviceStateError.invalidInput(field: "location", reason: .length(1...80))) {
            try InputRules.machine(Self.machine(location: String(repeating: "x", count: 81)))
        }
        _ = try InputRules.machine(Self.machine(id: "Dryer-16-chars-x", minutes: 240))
    }

    @Test("a resident's name and room are trimmed and bounded")
    func resident() throws {
        let (name, room) = try InputRules.resident(name: " Ada ", room: " 101 ")
        #expect(name == "Ada" && room == "101")
        #expect(throws: DeviceStateError.invalidInput(field: "name", reason: .length(1...80))) {
            try InputRules.resident(name: "", room: "101")
        }
        #expect(throws: DeviceStateError.invalidInput(field: "room", reason: .length(1...20))) {
            try InputRules.resident(name: "Ada", room: String(repeating: "1", count: 21))
        }
    }

    @Test("a notice has 1 to 500 characters and ends after it starts")
    func notice() throws {
        var notice = Notice(id: "n", text: "  Water off  ", severity: .info, publishAt: Self.now, createdAt: Self.now)
        #expect(try InputRules.notice(notice).text == "Water off")
        notice.expiresAt = Self.now
        #expect(throws: DeviceStateError.invalidInput(field: "expires", reason: .noticeExpiresBeforePublished)) {
            try InputRules.notice(notice)
        }
        notice.expiresAt = nil
        notice.text = String(repeating: "x", count: 501)
        #expect(throws: DeviceStateError.invalidInput(field: "text", reason: .length(1...500))) { try InputRules.notice(notice) }
    }

    @Test("a report describes the problem in 1 to 1000 characters")
    func report() throws {
        #expect(try InputRules.reportText("\n leaks \n") == "leaks")
        #expect(throws: DeviceStateError.invalidInput(field: "text", reason: .reportLength(1...1000))) {
            try InputRules.reportText(String(repeating: "x", count: 1001))
        }
    }

    @Test("an idempotency key is 1 to 128 visible ASCII characters")
    func idempotencyKey() {
        #expect(IdempotencyKey.isValid("k-1") && IdempotencyKey.isValid(String(repeating: "k", count: 128)))
        for key in ["", "with space", "tab\t", "ключ", String(repeating: "k", count: 129)] {
            #expect(!IdempotencyKey.isValid(key), "\(key)")
        }
    }

    @Test("quiet hours are two different times, each HH:MM in digits")
    func quietHours() throws {
        _ = try QuietHours(start: "22:00", end: "07:00")
        _ = try QuietHours(start: "00:00", end: "23:59")
        for time in ["22:+5", "+1:00", "-0:00", "7:00", "07:0", "24:00", "07:60", "0７:00", "07-00", "07:00:00", ""] {
            #expect(throws: DeviceStateError.invalidInput(field: "quietHours.start", reason: .timeOfDay), "\(time)") {
                try QuietHours(start: time, end: "07:00")
            }
        }
        #expect(throws: DeviceStateError.invalidInput(field: "quietHours", reason: .quietHoursEmpty)) {
            try QuietHours(start: "07:00", end: "07:00")
        }
    }

    @Test("a start names what it asks for: a retry must ask for the same machine and minutes")
    func startFingerprint() {
        let request = StartUseRequest(machineId: "W1", residentId: "ada", minutes: 30, idempotencyKey: "k")
        var other = request
        other.minutes = nil
        #expect(request.fingerprint != other.fingerprint)
        other = request
        other.machineId = "W2"
        #expect(request.fingerprint != other.fingerprint)
        other = request
        other.idempotencyKey = "another"
        #expect(request.fingerprint == other.fingerprint, "the key is not part of what is asked")
    }

    @Test("a use runs for the minutes asked, else the machine's cycle")
    func useLength() {
        let machine = Self.machine(minutes: 45)
        #expect(StartUseRequest(machineId: "W1", residentId: "ada").use(on: machine, at: Self.now).endsAt == Self.now + 45 * 60)
        let asked = StartUseRequest(machineId: "W1", residentId: "ada", minutes: 30).use(on: machine, at: Self.now)
        #expect(asked.endsAt == Self.now + 30 * 60 && asked.startedAt == Self.now && asked.isOpen && asked.residentId == "ada")
    }
}
