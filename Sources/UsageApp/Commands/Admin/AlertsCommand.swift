import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin alerts`: what became of each alert, leg by leg (``AlertLedger``).
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List alerts, newest first, with the whole path of each: live, acknowledged, held, pushed or dropped.",
        discussion: """
            A path reads left to right, e.g. "live to 2 sockets 2026-11-24T09:04:01Z, acked 2026-11-24T09:04:03Z" \
            or "pushed 2026-11-24T09:04:12Z (unacknowledged): fcm.googleapis.com delivered 201". Push attempts \
            show as long as push history is kept (see reconcile --push-history-days).
            Example: washboard admin alerts --resident r7k2 --since 1d
            """)

    @Option(help: "Only this resident's alerts.")
    var resident: String?
    @Option(
        help: ArgumentHelp(
            CommandTime.sinceHelp,
            valueName: "date"))
    var since = "7d"
    @Option(help: "At most this many (1 to 1000).")
    var limit = 100
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard CommandTime.since(since, at: Date()) != nil else {
            throw ValidationError(CommandTime.sinceRefusal)
        }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000.") }
    }

    func run() async throws {
        try await runAdmin(database) { store in
            guard let start = CommandTime.since(since, at: Date()) else { throw CLIError.usage("--since \(since) is not a time") }
            let entries = try await store.alertLedger(residentId: resident, since: start, limit: limit)
            try output.print(entries.map { AlertView(entry: $0, showsResident: true) }) {
                table(
                    ["ID", "RESIDENT", "KIND", "AT", "READ", "PATH"],
                    entries.map { entry in
                        [
                            entry.alert.id, entry.alert.residentId, entry.alert.kind.rawValue, Self.time(entry.alert.at),
                            entry.ledger.readAt.map(Self.time) ?? "-", Self.path(entry.ledger),
                        ]
                    })
            }
        }
    }

    static func time(_ date: Date) -> String { date.iso8601 }

    /// The ledger as one line.
    static func path(_ ledger: AlertLedger) -> String {
        var legs: [String] = []
        if let live = ledger.live {
            legs.append("live to \(live.sockets) socket\(live.sockets == 1 ? "" : "s") \(time(live.at))")
        }
        if let acked = ledger.ackedAt { legs.append("acked \(time(acked))") }
        if let held = ledger.held { legs.append("held until \(time(held.until)) (\(held.because.rawValue))") }
        if let routed = ledger.routed {
            var leg = "\(routed.outcome.rawValue) \(time(routed.at)) (\(routed.because.rawValue))"
            if !ledger.pushes.isEmpty {
                leg +=
                    ": "
                    + ledger.pushes.map { push in
                        let host = URL(string: push.service)?.host ?? push.service
                        return "\(host) \(push.state.rawValue)" + (push.status.map { " \($0)" } ?? "")
                    }.joined(separator: ", ")
            }
            legs.append(leg)
        }
        return legs.isEmpty ? "waiting" : legs.joined(separator: ", ")
    }
}
