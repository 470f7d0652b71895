import Foundation

/// Residents waiting for a machine of a kind (``Waitlist``). Serving them is not here: the
/// store serves the first waiter inside the transaction that frees a machine.
public protocol WaitlistStore: Sendable {
    /// Joins the list for `kind`, anywhere or only in `location`: the entry with its place.
    /// - Throws: ``DeviceStateError/alreadyWaiting(_:)``; `invalidInput` for a kind or
    ///   location with no machine.
    func joinWaitlist(kind: Machine.Kind, location: String?, residentId: String, at now: Date) async throws -> WaitlistPlace
    /// The resident's entries still waiting, oldest first, with their places.
    func waitlist(of residentId: String, at now: Date) async throws -> [WaitlistPlace]
    /// Leaves the list. - Throws: ``DeviceStateError/waitlistEntryNotFound(id:)`` unless it is the resident's own.
    func leaveWaitlist(_ id: String, residentId: String) async throws
}
