import Foundation

extension StartUseRequest {
    /// The use this request opens on `machine` at `now`: the length the resident chose, else
    /// the machine's cycle. Check the length first with ``InputRules/cycleMinutes(_:)``.
    public func use(on machine: Machine, at now: Date) -> Use {
        let minutes = minutes ?? machine.cycleMinutes
        return Use(
            id: Secrets.newUUID(), machineId: machine.id, residentId: residentId, startedAt: now,
            endsAt: now.addingTimeInterval(TimeInterval(minutes * 60)), startedFrom: startedFrom)
    }

    /// What the request asks for: a retry under the same idempotency key must ask for the same thing.
    public var fingerprint: String {
        "start \(machineId) minutes=\(minutes.map(String.init) ?? "default")"
    }
}
