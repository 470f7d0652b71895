import DeviceState
import Foundation
import Testing

@Suite("The message catalogue")
struct CatalogueTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let machine = Machine(
        id: "W3", kind: .washer, label: "Washer 3", location: "Hall A", cycleMinutes: 45, state: .broken, stateNote: "leaks",
        updatedAt: now)
    static let use = Use(id: "u1", machineId: "W3", residentId: "ada", startedAt: now, endsAt: now.addingTimeInterval(2700))

    /// One of every refusal of the domain.
    static let errors: [DeviceStateError] = [
        .machineNotFound(id: "W9"), .useNotFound(id: "u9"), .residentNotFound(id: "r9"), .noticeNotFound(id: "n9"),
        .reportNotFound(id: "p9"), .machineBusy(MachineStatus(machine: machine, use: use)),
        .machineBroken(MachineStatus(machine: machine, use: nil)), .machineNotInUse(MachineStatus(machine: machine, use: nil)),
        .machineNotBroken(MachineStatus(machine: machine, use: nil)), .machineNotDone(MachineStatus(machine: machine, use: use)),
        .machineNotDone(MachineStatus(machine: machine, use: nil)), .machineExists(id: "W3"), .noticeRetracted(id: "n1"),
        .reportResolved(id: "p1"), .notUseOwner(useId: "u1"), .useAlreadyClosed(use), .cancelWindowPassed(use, windowMinutes: 10),
        .ownUse(use), .enrollmentCodeInvalid, .residentRevoked(id: "r1"), .tooManyPushSubscriptions(limit: 10),
        .invalidInput(field: "minutes", reason: .cycleMinutes(1...240)), .idempotencyKeyReused(key: "k"),
        .rateLimited(retryAfterSeconds: 30, limit: .pickupRequest(machineId: "W3", minutes: 10)),
    ]

    @Test("every refusal is one sentence on one line, naming what it is about")
    func refusals() {
        for error in Self.errors {
            let text = error.description
            #expect(text.first?.isUppercase == true && text.hasSuffix(".") && !text.contains("\n"), "\(text)")
        }
        #expect(DeviceStateError.machineNotFound(id: "W9").description == #"There is no machine "W9"."#)
        #expect(
            DeviceStateError.machineBusy(MachineStatus(machine: Self.machine, use: Self.use)).description
                == "W3 is in use (its cycle ends 2026-09-21T14:58:20Z).")
        #expect(
            DeviceStateError.machineBroken(MachineStatus(machine: Self.machine, use: nil)).description
                == "W3 is out of order: leaks.")
        #expect(
            DeviceStateError.invalidInput(field: "minutes", reason: .cycleMinutes(1...240)).description
                == "Invalid minutes: a cycle lasts 1 to 240 minutes.")
    }

    @Test("what someone typed is quoted, cut to 40 characters, and kept on one line")
    func hostileInputInMessages() {
        let typed = "W1\n\r\tDROP TABLE uses; " + String(repeating: "x", count: 60)
        let text = DeviceStateError.machineNotFound(id: typed).description
        #expect(!text.contains("\n") && !text.contains("\r") && !text.contains("\t"))
        #expect(text.count == #"There is no machine ""."#.count + 40 + 1)
        #expect(text.hasSuffix("…\"."))
    }

    @Test("alert sentences carry the machine, where it is, and the minutes")
    func alerts() throws {
        #expect(AlertText.pickupRequestTitle(machineId: "W3").text() == "Someone is waiting for W3")
        #expect(
            AlertText.pickupRequestBody(machine: "Washer 3", location: "Hall A").text()
                == "Your laundry in Washer 3 (Hall A) is done. Please collect it.")
        let closed = Alert.useClosed(
            Use(
                id: "u1", machineId: "W3", residentId: "ada", startedAt: Self.now, endsAt: Self.now, closedAt: Self.now,
                closeReason: .machineBroken),
            machine: Self.machine, at: Self.now)
        #expect(closed.title == "W3: your use has ended" && closed.dedupeKey == "use_closed:u1")
        #expect(closed.body == "Washer 3 was marked out of order: leaks. Please collect your laundry.")
        var cleared = Self.use
        cleared.closeReason = .cleared
        #expect(
            Alert.useClosed(cleared, machine: Self.machine, at: Self.now).body
                == "An admin ended your use of Washer 3. Please collect your laundry.")
        let notice = Notice(
            id: "n1", text: "Water off", severity: .outage, machineIds: ["W3"], publishAt: Self.now, createdAt: Self.now)
        let alert = Alert.notice(notice, for: "ada", at: Self.now)
        #expect(alert.title == "Laundry outage" && alert.body == "Water off" && alert.machineId == "W3")
        #expect(alert.dedupeKey == "notice:n1:ada" && alert.noticeId == "n1")
    }

    @Test("problem details of requests the server cannot take")
    func problems() {
        #expect(Message.missingField(path: "keys.auth").text() == "Missing field 'keys.auth'.")
        #expect(Message.fieldType(path: "minutes", expected: .number).text() == "Field 'minutes' must be a number.")
        #expect(Message.methodNotAllowed(method: "PUT", allowed: "GET, HEAD").text() == "PUT is not allowed here; use GET, HEAD.")
        #expect(
            Message.invalidInput(field: "endpoint", reason: .pushEndpointHost("evil.example")).text()
                == "Invalid endpoint: evil.example is not a known push service.")
    }
}
