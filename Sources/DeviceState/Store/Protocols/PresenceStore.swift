import Foundation

/// Who has the app open, on which server instance. With several instances behind one
/// origin, a resident's socket may be on any of them: the alert router pushes at once only
/// to residents with no open app anywhere, and leaves the others to the ack timeout.
public protocol PresenceStore: Sendable {
    /// Replaces what `instance` said before: the residents with an open app on it now. Also
    /// says the instance is alive at `now`; an instance that stops reporting is forgotten.
    func reportPresence(instance: String, residents: Set<String>, at now: Date) async throws
    /// The residents among `ids` with an open app on an instance other than `instance` that
    /// reported at or after `since`.
    func presentResidents(among ids: Set<String>, elsewhereThan instance: String, reportedSince since: Date) async throws
        -> Set<String>
    /// Forgets what `instance` reported: it is stopping.
    func withdrawPresence(instance: String) async throws
}
