import ArgumentParser
import DeviceState
import Foundation
import Logging
import Notify

/// `washboard admin push list|test`.
struct PushCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "See what happened to push notifications, and send a test one.",
        subcommands: [List.self, Test.self])
}

extension PushOutboxEntry.State: ExpressibleByArgument {}

extension PushCommands {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List push messages, newest first, with their outcome.",
            discussion: """
                States: pending (waiting for a first attempt or a retry), delivered, gone (the subscription no \
                longer exists and is marked gone), failed (refused; see the error), expired (its time to live ran out).
                """)

        @Option(help: "Only messages in this state: pending, delivered, gone, failed or expired.")
        var state: PushOutboxEntry.State?
        @Option(help: "Only messages to this resident.")
        var resident: String?
        @Option(help: "At most this many (1 to 1000).")
        var limit = 50
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000.") }
        }

        func run() async throws {
            try await runAdmin(database) { store in
                let entries = try await store.pushOutbox(state: state, residentId: resident, limit: limit)
                try output.print(entries) {
                    table(
                        ["ID", "RESIDENT", "SERVICE", "STATE", "ATTEMPTS", "STATUS", "WHEN", "ERROR"],
                        entries.map { entry in
                            [
                                entry.id, entry.residentId, entry.endpointOrigin, entry.state.rawValue, String(entry.attempts),
                                entry.lastStatus.map(String.init) ?? "-",
                                (entry.settledAt ?? entry.nextAttemptAt).iso8601, entry.lastError ?? "",
                            ]
                        })
                }
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test notification to every device of a resident and print each outcome.",
            discussion: """
                Sends through the outbox like any notification: retries on 429, 5xx and timeouts until the \
                message's time to live runs out, and marks gone the subscriptions the push service says are gone. \
                Exits 0 when every device got it, 69 when any did not.
                """)

        @Option(help: "The resident's id.")
        var resident: String
        @Option(help: "Seconds to keep trying (10 to 3600).")
        var ttl = 120
        @OptionGroup(title: "Web Push") var push: PushOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (10...3600).contains(ttl) else { throw ValidationError("--ttl must be 10 to 3600 seconds.") }
        }

        struct Outcome: Encodable {
            var id: String
            var subscriptionId: String?
            var service: String
            var state: PushOutboxEntry.State
            var attempts: Int
            var lastStatus: Int?
            var lastError: String?

            init(_ entry: PushOutboxEntry) {
                id = entry.id
                subscriptionId = entry.subscriptionId
                service = entry.endpointOrigin
                state = entry.state
                attempts = entry.attempts
                lastStatus = entry.lastStatus
                lastError = entry.lastError
            }

            var text: String {
                "\(service) [\(id)]: \(state.rawValue) after \(attempts) attempt(s)"
                    + (lastStatus.map { ", status \($0)" } ?? "") + (lastError.map { " (\($0))" } ?? "")
            }
        }

        func run() async throws {
            try await runAdmin(database) { store in
                _ = try await VAPIDCommands.requireSigner(in: store)
                _ = try await store.resident(resident)
                // The resident's choice, else the dorm's language: the CLI cannot know their device's.
                let language = Language.forResident(
                    chosen: try await store.preferences(of: resident).language, device: nil,
                    dormDefault: try await store.setting(.defaultLanguage).flatMap(Language.init(rawValue:)))
                let now = Date()
                let queued = try await store.enqueuePush(
                    try PushController.TestPayload.draft(
                        for: resident, in: language, expiresAt: now.addingTimeInterval(TimeInterval(ttl))),
                    at: now)
                guard !queued.isEmpty else {
                    throw CLIError.notFound(
                        "Resident \(resident) has no push subscriptions; they turn notifications on in the app.")
                }
                var logger = Logger(label: "washboard.push")
                logger.logLevel = .error
                let settled = try await push.withDelivery(store: store, logger: logger) { delivery in
                    try await Self.deliver(queued.map(\.id), with: delivery, store: store)
                }
                try output.print(settled.map(Outcome.init)) { settled.map { Outcome($0).text }.joined(separator: "\n") }
                if settled.contains(where: { $0.state != .delivered }) {
                    throw CLIError.unavailable(
                        "\(settled.filter { $0.state != .delivered }.count) of \(settled.count) not delivered.")
                }
            }
        }

        /// Delivers the rows `ids` (this or another worker may send them) and waits until each is settled.
        static func deliver(_ ids: [String], with delivery: PushDelivery, store: some PushOutbox) async throws
            -> [PushOutboxEntry]
        {
            while true {
                _ = try await delivery.deliverDue(ids: ids)
                let entries = try await store.pushOutboxEntries(ids: ids)
                let pending = entries.filter { $0.state == .pending }
                guard let next = pending.map(\.nextAttemptAt).min() else { return entries }
                let wait = min(max(next.timeIntervalSinceNow, 0.05), 1)
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            }
        }
    }
}
