import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin kiosk add|list|revoke`: the laundry room screens.
struct KioskCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "Add, list and revoke kiosks: read-only live boards for a laundry room screen.",
        subcommands: [Add.self, List.self, Revoke.self])
}

extension KioskCommands {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a kiosk and print the link to open on its screen (shown once).",
            discussion: """
                The link holds the kiosk's token in its fragment, which never reaches a server log. \\
                Example: washboard admin kiosk add --name "Basement screen" --location "Hall A · basement"
                """)

        @Option(help: "What the admins call it, e.g. \"Basement screen\".")
        var name: String
        @Option(help: "The location it shows (default: every location).")
        var location: String?
        @OptionGroup var link: PublicOriginOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        struct Added: Encodable {
            var id: String
            var name: String
            var location: String?
            var token: String
            var url: String
        }

        func run() async throws {
            try await runAdmin(database) { store in
                let origin = try await link.origin(from: store)
                let (kiosk, token) = try await store.addKiosk(name: name, location: location, at: .currentSecond)
                let added = Added(
                    id: kiosk.id, name: kiosk.name, location: kiosk.location, token: token, url: "\(origin)/kiosk/#token=\(token)"
                )
                try output.print(added) {
                    """
                    added kiosk \(kiosk.id) (\(kiosk.name), \(kiosk.location ?? "every location"))
                    open on its screen: \(added.url)
                    """
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the kiosks, revoked ones too.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let kiosks = try await store.kiosks()
                try output.print(kiosks) {
                    table(
                        ["ID", "NAME", "LOCATION", "STATE"],
                        kiosks.map {
                            [$0.id, $0.name, $0.location ?? "every location", $0.revokedAt == nil ? "active" : "revoked"]
                        })
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a kiosk's access: its board closes and its link stops working.")

        @Argument(help: "The kiosk id.")
        var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let kiosk = try await store.revokeKiosk(id, at: .currentSecond)
                try output.print(kiosk) { "revoked kiosk \(kiosk.id) (\(kiosk.name))" }
            }
        }
    }
}
