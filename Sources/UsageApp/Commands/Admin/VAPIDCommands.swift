import ArgumentParser
import DeviceState
import Foundation
import Notify

/// `washboard admin vapid generate|show`.
struct VAPIDCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vapid",
        abstract: "Create or show the server's VAPID key pair, which push services tie subscriptions to.",
        subcommands: [Generate.self, Show.self])

    struct Output: Encodable {
        var publicKey: String
        var subject: String

        init(_ signer: VAPIDSigner) {
            publicKey = signer.key.publicKey
            subject = signer.subject.description
        }

        var text: String { "public key: \(publicKey)\nsubject: \(subject)" }
    }
}

extension VAPIDCommands {
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the key pair and store it in the database.",
            discussion: """
                The private key stays in the database, which is readable by its owner only; it is never printed. \
                Replacing a key orphans every push subscription, so an existing key is kept unless --force is given.
                Example: washboard admin vapid generate --subject mailto:laundry@dorm.example
                """)

        @Option(help: "Who push services contact about this server: a mailto: or https: URL.")
        var subject: String
        @Flag(help: "Replace an existing key. Deletes every push subscription: residents' apps subscribe again when opened.")
        var force = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            do {
                _ = try VAPIDSubject(subject)
            } catch {
                throw ValidationError("--subject: \(error.description).")
            }
        }

        func run() async throws {
            try await runAdmin(database) { store in
                do {
                    let signer = try await VAPIDConfiguration.generate(
                        subject: try VAPIDSubject(subject), replacing: force, in: store)
                    try output.print(Output(signer)) { Output(signer).text }
                } catch let error as VAPIDConfiguration.Failure {
                    throw CLIError.conflict(error.description)
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the public key and the subject.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let signer = try await VAPIDCommands.requireSigner(in: store)
                try output.print(Output(signer)) { Output(signer).text }
            }
        }
    }

    static func requireSigner(in store: some SettingsStore) async throws -> VAPIDSigner {
        guard let signer = try await VAPIDConfiguration.load(from: store) else {
            throw CLIError.unavailable("There is no VAPID key yet; run `washboard admin vapid generate --subject mailto:…`.")
        }
        return signer
    }
}
