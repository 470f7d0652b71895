import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin machine add|list|remove|broken|repaired|clear`.
struct MachineCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Add, list and remove machines; mark them broken or repaired; clear a forgotten use.",
        subcommands: [Add.self, List.self, Remove.self, Broken.self, Repaired.self, Clear.self])
}

extension Machine.Kind: ExpressibleByArgument {}

extension MachineCommands {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a machine (or bring back a removed one under its id).",
            discussion: "Example: washboard admin machine add W9 --kind washer --location \"Hall B\" --minutes 45")

        @Argument(help: "The short code printed on the machine: 1 to 16 letters, digits or dashes.")
        var id: String
        @Option(help: "washer, dryer or other.")
        var kind: Machine.Kind
        @Option(help: "Where it stands, e.g. \"Hall A · basement\".")
        var location: String
        @Option(help: "The name residents see (default: Washer/Dryer/Machine and the id).")
        var label: String?
        @Option(help: "Default cycle length in minutes, 1 to 240 (default: 45 for washers, 60 for dryers, 30 otherwise).")
        var minutes: Int?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin {
                let store = try database.openStore()
                let machine = Machine(
                    id: id, kind: kind, label: label ?? defaultLabel, location: location,
                    cycleMinutes: minutes ?? defaultMinutes, updatedAt: .currentSecond)
                let status = try await store.addMachine(machine)
                try output.print(status) {
                    "added \(status.machine.id): \(status.machine.label), \(status.machine.location), \(status.machine.cycleMinutes) min"
                }
            }
        }

        private var defaultLabel: String {
            switch kind {
            case .washer: "Washer \(id)"
            case .dryer: "Dryer \(id)"
            case .other: "Machine \(id)"
            }
        }

        private var defaultMinutes: Int {
            switch kind {
            case .washer: 45
            case .dryer: 60
            case .other: 30
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List machines with their state.")

        @Flag(help: "Include removed machines.")
        var all = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin {
                let machines = try await database.openStore().machines(includingRemoved: all)
                try output.print(machines) {
                    table(
                        ["ID", "KIND", "STATE", "LOCATION", "LABEL", "DETAIL"],
                        machines.map { status in
                            let machine = status.machine
                            let detail =
                                if let use = status.use { "use by \(use.residentId) until \(use.endsAt.iso8601)" } else {
                                    machine.stateNote ?? ""
                                }
                            return [
                                machine.id, machine.kind.rawValue, machine.state.rawValue, machine.location, machine.label,
                                detail,
                            ]
                        })
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a machine off the board (its history stays). Clear an open use first.")

        @Argument(help: "The machine id.")
        var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin {
                try await database.openStore().removeMachine(id, at: .currentSecond)
                try output.print(["id": id, "removed": "true"]) { "removed \(id)" }
            }
        }
    }

    struct Broken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a machine out of order; an open use is closed and its owner told.",
            discussion: "Example: washboard admin machine broken W9 --note \"door seal leaking\"")

        @Argument(help: "The machine id.")
        var id: String
        @Option(help: "What is wrong, shown to residents (1 to 200 characters).")
        var note: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(trimmed.count) else { throw ValidationError("--note must be 1 to 200 characters.") }
        }

        func run() async throws {
            try await runMachineCommand(
                .markBroken(note: note.trimmingCharacters(in: .whitespacesAndNewlines)), id: id,
                database: database, output: output, verb: "marked broken")
        }
    }

    struct Repaired: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a broken machine repaired: it is free again.")

        @Argument(help: "The machine id.")
        var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runMachineCommand(.markRepaired, id: id, database: database, output: output, verb: "marked repaired")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Free a machine whose use was left behind; its owner is told.")

        @Argument(help: "The machine id.")
        var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runMachineCommand(.clear, id: id, database: database, output: output, verb: "cleared")
        }
    }
}

private func runMachineCommand(
    _ command: MachineCommand, id: String, database: DatabaseOptions, output: OutputOptions, verb: String
) async throws {
    try await runAdmin {
        let status = try await database.openStore().apply(command, toMachine: id, at: .currentSecond)
        try output.print(status) { "\(verb) \(status.machine.id): now \(status.machine.state.rawValue)" }
    }
}
