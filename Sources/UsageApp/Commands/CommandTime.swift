import Foundation

/// Times and durations given on the command line (`--now`, `--at`, `--expires`).
enum CommandTime {
    /// An ISO-8601 time such as `2026-11-24T09:00:00Z`, with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// A duration such as `90m`, `3h` or `2d`.
    static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount > 0 else { return nil }
        switch unit {
        case "m": return amount * 60
        case "h": return amount * 3600
        case "d": return amount * 86400
        default: return nil
        }
    }
}
