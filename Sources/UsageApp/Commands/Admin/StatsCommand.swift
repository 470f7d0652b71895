import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin stats`.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "How busy the room is and which machines break: uses per machine and day, busiest hours, push outcomes.",
        discussion: """
            Days and hours are on the server's clock (its TZ). Push outcomes cover notifications \
            queued in the period, as far back as push history is kept (see reconcile --push-history-days).
            Example: washboard admin stats --since 2026-11-01
            """)

    @Option(
        help: ArgumentHelp(
            CommandTime.sinceHelp,
            valueName: "date"))
    var since = "30d"
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard let start = start(at: Date()) else {
            throw ValidationError(CommandTime.sinceRefusal)
        }
        guard start < Date() else { throw ValidationError("--since \(since) is in the future.") }
    }

    private func start(at now: Date) -> Date? { CommandTime.since(since, at: now) }

    func run() async throws {
        try await runAdmin(database) { store in
            let now = Date.currentSecond
            guard let start = start(at: now) else { throw CLIError.usage("--since \(since) is not a time") }
            // Up to the end of this second: a use started in it (times are stored to the second) counts.
            let stats = try await store.stats(since: start, at: now + 1, timeZone: .current)
            try output.print(stats) { Self.text(stats) }
        }
    }

    static func text(_ stats: DormStats) -> String {
        let hours = stats.busiestHours.map { String(format: "%02d:00", $0) + " (\(stats.usesByHour[$0]))" }
        let push = ["delivered", "pending", "gone", "failed", "expired"].map { "\(stats.push[$0] ?? 0) \($0)" }
        return """
            from \(stats.since.iso8601) to \(stats.until.iso8601) (\(stats.timeZone))

            \(table(
                ["MACHINE", "LABEL", "USES", "IN USE", "OUTAGES", "BROKEN"],
                stats.machines.map {
                    [$0.id, $0.label, "\($0.uses)", duration($0.inUseMinutes), "\($0.outages)", duration($0.brokenMinutes)]
                }))

            \(table(["DAY", "USES"], stats.usesPerDay.map { [$0.day, "\($0.uses)"] }))

            busiest hours: \(hours.isEmpty ? "none" : hours.joined(separator: ", "))
            started from a label: \(stats.startsFromLabels) of \(stats.usesByHour.reduce(0, +)) uses
            push: \(push.joined(separator: ", "))
            """
    }

    private static func duration(_ minutes: Int) -> String {
        minutes < 60 ? "\(minutes)m" : "\(minutes / 60)h \(String(format: "%02d", minutes % 60))m"
    }
}
