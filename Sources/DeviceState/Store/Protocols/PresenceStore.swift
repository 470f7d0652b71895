import Foundation

/// Who has the app open, on which server instance. With several instances behind one
/// origin, a resident's socket may be on any of them: the alert router pushes at once only
/// to residents with no open app anywhere, and leaves the others to the ack timeout.
///
/// Times are the database's, not the instances': their clocks may differ.
public protocol PresenceStore: Sendable {
    /// Replaces what `instance` said before: the residents with an open app on it now. Also
    /// says the instance is alive; an instance silent for an hour is forgotten.
    func reportPresence(instance: String, residents: Set<String>) async throws
    /// The residents among `ids` with an open app on an instance other than `instance` that
    /// reported within the last `seconds`.
    func presentResidents(among ids: Set<String>, elsewhereThan instance: String, heardWithin seconds: TimeInterval)
        async throws -> Set<String>
    /// Forgets what `instance` reported: it is stopping.
    func withdrawPresence(instance: String) async throws
}
