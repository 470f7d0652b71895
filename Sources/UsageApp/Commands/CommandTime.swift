import Foundation

/// Times, days and durations given on the command line (`--now`, `--at`, `--expires`, `--since`).
enum CommandTime {
    /// An ISO-8601 time such as `2026-11-24T09:00:00Z`, with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// A calendar day such as `2026-11-24`: its first moment on the wall clock of `timeZone`.
    static func day(_ text: String, in timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2] else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    /// The start of a period given as `--since`: a day, an ISO-8601 time, or a duration back from `now`.
    static func since(_ text: String, at now: Date) -> Date? {
        day(text, in: .current) ?? parse(text) ?? duration(text).map { now.addingTimeInterval(-$0) }
    }

    /// `--since`'s help and its refusal, the same for every command that takes it.
    static let sinceHelp = "Start of the period: a day (2026-11-01), an ISO-8601 time, or a duration back from now (7d)."
    static let sinceRefusal = "--since must be a day (2026-11-01), an ISO-8601 time or a duration such as 7d."

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
