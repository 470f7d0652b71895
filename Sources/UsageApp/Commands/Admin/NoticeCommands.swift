import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin notice post|list|retract`.
struct NoticeCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: "Post repair notices and announcements to every board, now or at a set time; list and retract them.",
        subcommands: [Post.self, List.self, Retract.self])

    static func text(_ notice: Notice, at now: Date) -> String {
        let state =
            if notice.retractedAt != nil { "retracted" } else if let expiresAt = notice.expiresAt, expiresAt <= now {
                "expired"
            } else if notice.publishAt > now { "scheduled for \(notice.publishAt.iso8601)" } else { "live" }
        let flags = [notice.push ? "push" : nil, notice.quiet ? "quiet" : nil, notice.urgent ? "urgent" : nil]
            .compactMap { $0 }
        return "notice \(notice.id) [\(notice.severity.rawValue), \(state)"
            + (notice.expiresAt.map { ", until \($0.iso8601)" } ?? "")
            + (flags.isEmpty ? "" : ", " + flags.joined(separator: ", "))
            + "]: \(notice.text)"
    }
}

extension Notice.Severity: ExpressibleByArgument {}

extension NoticeCommands {
    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post a notice: on every open board at once, or at --at.",
            discussion: """
                Examples:
                  washboard admin notice post "W3 is out of order until Friday" --severity outage --machine W3 --expires 3d
                  washboard admin notice post "Water off 9-12" --at 2026-11-24T09:00:00Z --expires 2026-11-24T12:00:00Z --push
                  washboard admin notice post --text-ko "9시~12시 단수" --text-en "Water off 9-12" --push
                Residents read the text in their language when one is given, else TEXT (or the only one given).
                """)

        @Argument(help: "What residents read (1 to 500 characters); optional with --text-ko or --text-en.")
        var text: String?
        @Option(name: .customLong("text-ko"), help: "The text for residents who read Korean.")
        var textKorean: String?
        @Option(name: .customLong("text-en"), help: "The text for residents who read English.")
        var textEnglish: String?
        @Option(help: "info, warning or outage.")
        var severity: Notice.Severity = .info
        @Option(help: "The location it concerns, as machines list it.")
        var location: String?
        @Option(name: .customLong("machine"), help: "A machine it concerns (repeatable); not with --location.")
        var machines: [String] = []
        @Option(help: "When to publish it (ISO-8601, in the future); default now.")
        var at: String?
        @Option(help: "When it ends: an ISO-8601 time, or a duration after publication such as 90m, 3h or 2d.")
        var expires: String?
        @Flag(help: "Also send it to residents' devices by Web Push, after their quiet hours unless --urgent.")
        var push = false
        @Flag(help: "With --push: show it without sound.")
        var quiet = false
        @Flag(help: "With --push: send it during quiet hours too, at high urgency.")
        var urgent = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        /// The texts given per language, by code.
        var texts: [String: String] {
            var texts: [String: String] = [:]
            texts[Language.korean.rawValue] = textKorean
            texts[Language.english.rawValue] = textEnglish
            return texts
        }

        func validate() throws {
            if text == nil, textKorean == nil, textEnglish == nil {
                throw ValidationError("Give the notice's TEXT, or --text-ko and/or --text-en.")
            }
            if location != nil, !machines.isEmpty { throw ValidationError("Give --location or --machine, not both.") }
            if quiet || urgent, !push { throw ValidationError("--quiet and --urgent go with --push.") }
            if quiet, urgent { throw ValidationError("A notice is --quiet or --urgent, not both.") }
            if let at {
                guard let time = CommandTime.parse(at) else {
                    throw ValidationError("--at must be an ISO-8601 time such as 2026-11-24T09:00:00Z.")
                }
                guard time > Date() else { throw ValidationError("--at \(at) is in the past; leave it out to post now.") }
            }
            if let expires, CommandTime.parse(expires) == nil, CommandTime.duration(expires) == nil {
                throw ValidationError("--expires must be an ISO-8601 time or a duration such as 90m, 3h or 2d.")
            }
        }

        func run() async throws {
            try await runAdmin(database) { store in
                let now = Date.currentSecond
                let publishAt = at.flatMap(CommandTime.parse) ?? now
                let expiresAt = expires.flatMap {
                    CommandTime.parse($0) ?? CommandTime.duration($0).map(publishAt.addingTimeInterval)
                }
                let notice = try await store.postNotice(
                    Notice(
                        id: Secrets.newShortID(), text: text ?? textEnglish ?? textKorean ?? "", texts: texts,
                        severity: severity, location: location, machineIds: machines,
                        publishAt: publishAt, expiresAt: expiresAt, push: push, quiet: quiet, urgent: urgent, createdAt: now),
                    at: now)
                try output.print(notice) { NoticeCommands.text(notice, at: now) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List live and scheduled notices, newest first.")

        @Flag(help: "Also expired and retracted ones.")
        var all = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let now = Date()
                let notices = try await store.notices(includingEnded: all, at: now)
                try output.print(notices) { notices.map { NoticeCommands.text($0, at: now) }.joined(separator: "\n") }
            }
        }
    }

    struct Retract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a notice down at once, or cancel a scheduled one.")

        @Argument(help: "The notice's id.")
        var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let now = Date.currentSecond
                let notice = try await store.retractNotice(id, at: now)
                try output.print(notice) { NoticeCommands.text(notice, at: now) }
            }
        }
    }
}
