import Foundation

/// A screen in the laundry room showing the live board, read-only: it may read the board and
/// open the live connection, and nothing else. It never learns who uses a machine.
public struct Kiosk: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    /// The location it shows; nil: every location.
    public var location: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, location: String?, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.location = location
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Kiosk tokens say what they are, so the server knows which table to look in.
    public static let tokenPrefix = "wbk_"

    /// The id under which a kiosk's live connection subscribes: no resident has it, so no
    /// resident's alert reaches a kiosk.
    public var subscriberId: String { "kiosk:\(id)" }
}

extension Secrets {
    /// A kiosk's token: like a session's, with the kiosk prefix.
    public static func newKioskToken() -> String {
        Kiosk.tokenPrefix + Data(randomBytes(32)).base64URLEncodedString()
    }
}
