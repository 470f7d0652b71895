import Foundation

/// The laundry room screens (``Kiosk``) and their tokens, stored only hashed.
public protocol KioskStore: Sendable {
    /// A new kiosk and its token, shown once.
    func addKiosk(name: String, location: String?, at now: Date) async throws -> (Kiosk, token: String)
    /// Every kiosk, revoked ones too, oldest first.
    func kiosks() async throws -> [Kiosk]
    /// Ends a kiosk's access; its open board closes with 4001.
    func revokeKiosk(_ id: String, at now: Date) async throws -> Kiosk
    /// The kiosk a token belongs to, or nil for an unknown or revoked one.
    func kiosk(forToken token: String) async throws -> Kiosk?
}
