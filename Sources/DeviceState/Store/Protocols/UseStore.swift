import Foundation

/// Residents' uses of machines: starting, collecting, cancelling, asking another to collect.
public protocol UseStore: Sendable {
    /// Starts a use, or returns the first answer again for a repeated idempotency key.
    func startUse(_ request: StartUseRequest, at now: Date) async throws -> StartedUse
    func collect(useId: String, by residentId: String, at now: Date) async throws -> Use
    func cancel(useId: String, by residentId: String, at now: Date) async throws -> Use
    /// The resident's open uses, oldest first.
    func openUses(of residentId: String) async throws -> [Use]
    /// Asks the owner of a finished load to collect it (``PickupRequestRule``), alerting them.
    func requestPickup(machineId: String, by residentId: String, at now: Date) async throws -> PickupRequest
}
