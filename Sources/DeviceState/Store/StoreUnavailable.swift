import GRDB

/// The database refused for a reason that passes by itself, and the request may be sent
/// again unchanged: the write was rolled back whole, nothing of it is stored.
public enum StoreUnavailable: Sendable, Hashable {
    /// Another writer (a long admin transaction, another process) held the write lock past
    /// the busy timeout.
    case busy
    /// The disk is full, or the database file or server is read-only. Reads still work.
    case notWritable

    /// The kind of `error`, or nil when it is not one of these.
    public init?(_ error: any Error) {
        switch error {
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy
            case .SQLITE_FULL, .SQLITE_READONLY: self = .notWritable
            default: return nil
            }
        case let error as PostgresStore.Failure:
            switch error.sqlState {
            // lock_not_available (lock_timeout), query_canceled (statement_timeout), deadlock_detected
            case "55P03", "57014", "40P01": self = .busy
            // disk_full, insufficient_resources, read_only_sql_transaction
            case "53100", "53000", "25006": self = .notWritable
            default: return nil
            }
        default:
            return nil
        }
    }

    /// What a client is told to wait before trying again: a lock passes in moments, a full disk needs an operator.
    public var retryAfterSeconds: Int {
        switch self {
        case .busy: 2
        case .notWritable: 30
        }
    }
}
