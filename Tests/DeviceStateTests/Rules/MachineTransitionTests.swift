import DeviceState
import Foundation
import Testing

@Suite("The machine state machine")
struct MachineTransitionTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let owner = "owner"
    static let other = "other"

    static func machine(_ state: Machine.State) -> Machine {
        Machine(id: "W1", kind: .washer, label: "Washer 1", location: "Hall A", cycleMinutes: 45, state: state, updatedAt: now)
    }

    static func use(startedMinutesAgo: Double = 1) -> Use {
        let started = now.addingTimeInterval(-startedMinutesAgo * 60)
        return Use(id: "u1", machineId: "W1", residentId: owner, startedAt: started, endsAt: started.addingTimeInterval(45 * 60))
    }

    static func apply(_ command: MachineCommand, _ state: Machine.State, use: Use? = nil) throws(DeviceStateError)
        -> MachineTransition
    {
        try MachineTransition.apply(command, to: machine(state), openUse: use ?? (state == .inUse ? Self.use() : nil), at: now)
    }

    @Test("idle → in_use when a resident starts the machine")
    func start() throws {
        let transition = try Self.apply(.start(residentId: Self.owner), .idle)
        #expect(transition.newState == .inUse)
        #expect(transition.closesUse == nil)
    }

    @Test("in_use → idle when the owner collects", arguments: [1.0, 30, 200])
    func collect(minutesAgo: Double) throws {
        let transition = try Self.apply(.collect(residentId: Self.owner), .inUse, use: Self.use(startedMinutesAgo: minutesAgo))
        #expect(transition.newState == .idle)
        #expect(transition.closesUse == .collected)
        #expect(!transition.alertsOwner)
    }

    @Test("in_use → idle when the owner cancels within the window")
    func cancel() throws {
        let transition = try Self.apply(.cancel(residentId: Self.owner), .inUse, use: Self.use(startedMinutesAgo: 9))
        #expect(transition.newState == .idle)
        #expect(transition.closesUse == .cancelled)
    }

    @Test("cancelling after the window is a conflict: the owner collects instead")
    func cancelTooLate() {
        #expect(throws: DeviceStateError.cancelWindowPassed(Self.use(startedMinutesAgo: 11), windowMinutes: 10)) {
            try Self.apply(.cancel(residentId: Self.owner), .inUse, use: Self.use(startedMinutesAgo: 11))
        }
    }

    @Test("only the owner collects or cancels")
    func notOwner() {
        for command in [MachineCommand.collect(residentId: Self.other), .cancel(residentId: Self.other)] {
            #expect(throws: DeviceStateError.notUseOwner(useId: "u1")) { try Self.apply(command, .inUse) }
        }
    }

    @Test("in_use → idle by auto-release and by an admin's clear; clear tells the owner")
    func releaseAndClear() throws {
        let released = try Self.apply(.autoRelease, .inUse)
        #expect(released.newState == .idle && released.closesUse == .autoReleased && released.alertsOwner)
        let cleared = try Self.apply(.clear, .inUse)
        #expect(cleared.newState == .idle && cleared.closesUse == .cleared && cleared.alertsOwner)
    }

    @Test("any state → broken; an open use closes with machine_broken and its owner is told", arguments: Machine.State.allCases)
    func markBroken(from state: Machine.State) throws {
        let transition = try Self.apply(.markBroken(note: "door seal"), state)
        #expect(transition.newState == .broken)
        #expect(transition.stateNote == "door seal")
        #expect(transition.closesUse == (state == .inUse ? .machineBroken : nil))
        #expect(transition.alertsOwner == (state == .inUse))
    }

    @Test("broken → idle when repaired, and the note is gone")
    func repaired() throws {
        let transition = try Self.apply(.markRepaired, .broken)
        #expect(transition.newState == .idle)
        #expect(transition.stateNote == nil)
    }

    @Test("every other command and state is a conflict, naming the machine as it is")
    func conflicts() {
        let busy = MachineStatus(machine: Self.machine(.inUse), use: Self.use())
        let broken = MachineStatus(machine: Self.machine(.broken), use: nil)
        let idle = MachineStatus(machine: Self.machine(.idle), use: nil)
        let cases: [(MachineCommand, Machine.State, DeviceStateError)] = [
            (.start(residentId: Self.other), .inUse, .machineBusy(busy)),
            (.start(residentId: Self.owner), .inUse, .machineBusy(busy)),
            (.start(residentId: Self.owner), .broken, .machineBroken(broken)),
            (.collect(residentId: Self.owner), .idle, .machineNotInUse(idle)),
            (.collect(residentId: Self.owner), .broken, .machineNotInUse(broken)),
            (.cancel(residentId: Self.owner), .idle, .machineNotInUse(idle)),
            (.cancel(residentId: Self.owner), .broken, .machineNotInUse(broken)),
            (.autoRelease, .idle, .machineNotInUse(idle)),
            (.autoRelease, .broken, .machineNotInUse(broken)),
            (.clear, .idle, .machineNotInUse(idle)),
            (.clear, .broken, .machineNotInUse(broken)),
            (.markRepaired, .idle, .machineNotBroken(idle)),
            (.markRepaired, .inUse, .machineNotBroken(busy)),
        ]
        for (command, state, expected) in cases {
            #expect(throws: expected, "\(command) on \(state)") { try Self.apply(command, state) }
        }
    }
}
