import Foundation

/// Notices admins post to every board.
public protocol NoticeStore: Sendable {
    /// Stores a notice (checked by ``InputRules/notice(_:)``) and announces it when it is live already.
    func postNotice(_ notice: Notice, at now: Date) async throws -> Notice
    /// Newest first: by default those live or still to come; with `includingEnded` also expired and retracted ones.
    func notices(includingEnded: Bool, at now: Date) async throws -> [Notice]
    /// Takes a notice down: off open boards at once if it was on them, never published if it was scheduled.
    func retractNotice(_ id: String, at now: Date) async throws -> Notice
}
