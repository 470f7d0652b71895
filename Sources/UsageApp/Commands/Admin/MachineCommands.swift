import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin machine add|list|remove|broken|repaired|clear`.
struct MachineCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Add, list and remove machines; mark them broken or repaired; clear a forgotten use; print labels.",
        subcommands: [Add.self, List.self, Remove.self, Broken.self, Repaired.self, Clear.self, Label.self])
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
            try await runAdmin(database) { store in
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
            try await runAdmin(database) { store in
                let machines = try await store.machines(includingRemoved: all)
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
            try await runAdmin(database) { store in
                try await store.removeMachine(id, at: .currentSecond)
                try output.print(["id": id, "removed": "true"]) { "removed \(id)" }
            }
        }
    }

    struct Broken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a machine out of order; an open use is closed and its owner told.",
            discussion: "Example: washboard admin machine broken W9 --note \"door seal leaking\" --notice")

        @Argument(help: "The machine id.")
        var id: String
        @Option(help: "What is wrong, shown to residents (1 to 200 characters).")
        var note: String
        @Flag(help: "Also post an outage notice on every board until the machine is repaired.")
        var notice = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            let length = InputRules.brokenNoteLength
            guard length.contains(trimmedNote.count) else {
                throw ValidationError("--note must be \(length.lowerBound) to \(length.upperBound) characters.")
            }
        }

        private var trimmedNote: String { note.trimmingCharacters(in: .whitespacesAndNewlines) }

        func run() async throws {
            try await markMachine(id, broken: trimmedNote, notice: notice, database: database, output: output)
        }
    }

    struct Repaired: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a broken machine repaired: it is free again, and outage notices about it alone come down.",
            discussion: "Example: washboard admin machine repaired W9 --notice")

        @Argument(help: "The machine id.")
        var id: String
        @Flag(help: "Also post \"back in service\" on every board for 12 hours.")
        var notice = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await markMachine(id, broken: nil, notice: notice, database: database, output: output)
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
            try await runAdmin(database) { store in
                let status = try await store.apply(.clear, toMachine: id, at: .currentSecond)
                try output.print(status) { "cleared \(status.machine.id): now \(status.machine.state.rawValue)" }
            }
        }
    }
}

private func markMachine(
    _ id: String, broken note: String?, notice: Bool, database: DatabaseOptions, output: OutputOptions
) async throws {
    try await runAdmin(database) { store in
        let now = Date.currentSecond
        let outcome = try await store.markMachine(id, broken: note, postingNotice: notice, at: now)
        try output.print(outcome) {
            let machine = outcome.machine.machine
            var lines = ["marked \(machine.id) \(note == nil ? "repaired" : "broken"): now \(machine.state.rawValue)"]
            lines += outcome.retractedNotices.map { "retracted notice \($0)" }
            if let notice = outcome.notice { lines.append(NoticeCommands.text(notice, at: now)) }
            return lines.joined(separator: "\n")
        }
    }
}

extension MachineCommands {
    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a printable label per machine: its name and a QR code that opens the app on it.",
            discussion: """
                Each label is an SVG file, DIR/label-ID.svg, A7 sized. The QR code holds \
                PUBLIC_ORIGIN/m/ID, the URL to write on an NFC sticker too: it opens the app on \
                that machine with one-tap Start. Example: washboard admin machine label --out labels
                """)

        @Argument(help: "The machines to label (default: every machine on the board).")
        var ids: [String] = []
        @Option(help: "The folder to write the labels to (created if missing).")
        var out: String
        @OptionGroup var link: PublicOriginOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        struct Written: Encodable {
            var id: String
            var url: String
            var file: String
        }

        func run() async throws {
            try await runAdmin(database) { store in
                let origin = try await link.origin(from: store)
                var machines: [Machine] = []
                if ids.isEmpty {
                    machines = try await store.machines(includingRemoved: false).map(\.machine)
                } else {
                    for id in ids { machines.append(try await store.machine(id).machine) }
                }
                let folder = URL(fileURLWithPath: out, isDirectory: true)
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw CLIError.usage("cannot create \(out): \(error.localizedDescription)")
                }
                var written: [Written] = []
                for machine in machines {
                    let label = MachineLabel(machine: machine, url: MachineLabel.url(origin: origin, machineId: machine.id))
                    let file = folder.appendingPathComponent("label-\(machine.id).svg")
                    try Data(try label.svg().utf8).write(to: file, options: .atomic)
                    written.append(Written(id: machine.id, url: label.url, file: file.path))
                }
                try output.print(written) {
                    written.map { "\($0.file)  \($0.url)" }.joined(separator: "\n")
                }
            }
        }
    }
}
