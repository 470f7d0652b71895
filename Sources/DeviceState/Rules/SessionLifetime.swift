import Foundation

/// How long a session lives without being used: a phone lost, sold or handed on still holds
/// its token, and a semester later nobody remembers it.
public enum SessionLifetime {
    /// `serve --session-idle-days`, by default.
    public static let defaultIdleDays = 90
    public static let idleDaysRange = 1...365
    /// How often a session's last use is written: writing on every request would make every
    /// board read a write. A session may therefore end up to this much sooner after its last
    /// use than the limit says.
    public static let touchInterval: TimeInterval = 3600

    /// Whether a session last used at `lastSeenAt` has ended at `now`.
    public static func hasEnded(lastSeenAt: Date, idleLimit: TimeInterval, at now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) > idleLimit
    }

    /// Whether its last use should be written now.
    public static func needsTouch(lastSeenAt: Date, at now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) >= touchInterval
    }

    /// Writes a session's last use, unless the database cannot take writes now: a resident
    /// still reads the board while the disk is full, and the next request writes it.
    static func touchUnlessUnavailable(_ touch: () async throws -> Void) async throws {
        do {
            try await touch()
        } catch  where StoreUnavailable(error) != nil {}
    }
}
