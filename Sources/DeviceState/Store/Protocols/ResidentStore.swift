import Foundation

/// Residents as admins manage them, and their preferences.
public protocol ResidentStore: Sendable {
    /// Adds a resident with a one-time enrollment code valid for `codeValidFor` seconds.
    func addResident(name: String, room: String, staff: Bool, codeValidFor: TimeInterval, at now: Date) async throws
        -> (Resident, EnrollmentCode)
    /// Makes a resident staff, or no longer staff (``Resident/staff``).
    func setStaff(_ id: String, _ staff: Bool) async throws -> Resident
    func issueEnrollmentCode(residentId: String, validFor: TimeInterval, at now: Date) async throws -> EnrollmentCode
    /// By room, then name.
    func residents() async throws -> [Resident]
    func resident(_ id: String) async throws -> Resident
    /// Ends every session of the resident, voids their unredeemed codes and tells open connections.
    /// Their open uses stay: the laundry is still in the machine.
    func revokeResident(_ id: String, at now: Date) async throws -> Resident
    func preferences(of residentId: String) async throws -> Preferences
    func setPreferences(_ preferences: Preferences, of residentId: String) async throws -> Preferences
}

extension ResidentStore {
    public func addResident(name: String, room: String, codeValidFor: TimeInterval, at now: Date) async throws
        -> (Resident, EnrollmentCode)
    {
        try await addResident(name: name, room: room, staff: false, codeValidFor: codeValidFor, at: now)
    }
}

/// Sessions: redeeming a code, finding the resident behind a bearer token, logging out.
public protocol SessionStore: Sendable {
    /// Redeems a one-time code; returns the resident and a new bearer token (stored only hashed).
    func redeemEnrollmentCode(_ code: String, at now: Date) async throws -> (Resident, token: String)
    /// The resident a bearer token belongs to, or nil for an unknown or revoked one, or one
    /// unused for longer than `idleLimit` (``SessionLifetime``). Notes the use, at most hourly.
    func resident(forToken token: String, at now: Date, idleLimit: TimeInterval) async throws -> Resident?
    func endSession(token: String) async throws
}
