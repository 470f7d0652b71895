import ArgumentParser
import DeviceState
import Foundation

/// `washboard admin resident add|list|code|staff|revoke`.
struct ResidentCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resident",
        abstract: "Enroll residents with one-time codes, list them, make them staff, revoke them.",
        subcommands: [Add.self, List.self, Code.self, Staff.self, Revoke.self])
}

/// `--public-origin` of the commands that print a link (enrollment, kiosk) or a QR code (labels).
struct PublicOriginOptions: ParsableArguments {
    @Option(help: "The origin links point to (default: the one `washboard serve` last ran under).")
    var publicOrigin: String?

    func validate() throws {
        if let publicOrigin, PublicOrigin.normalize(publicOrigin) == nil {
            throw ValidationError("--public-origin must look like https://laundry.example.org.")
        }
    }

    func origin(from store: some SettingsStore) async throws -> String {
        if let publicOrigin, let origin = PublicOrigin.normalize(publicOrigin) { return origin }
        return try await store.setting(.publicOrigin) ?? PublicOrigin.fallback
    }
}

/// `--valid-for` and `--public-origin` of the commands that print an enrollment code.
struct EnrollmentOptions: ParsableArguments {
    @Option(help: "Hours the enrollment code stays valid (1 to 720).")
    var validFor = 72
    @OptionGroup var link: PublicOriginOptions

    func validate() throws {
        guard (1...720).contains(validFor) else { throw ValidationError("--valid-for must be 1 to 720 hours.") }
    }

    var validity: TimeInterval { TimeInterval(validFor * 3600) }

    func origin(from store: some SettingsStore) async throws -> String { try await link.origin(from: store) }
}

/// What `resident add` and `resident code` print: the code is shown once and never stored in clear.
struct EnrollmentOutput: Encodable {
    var id: String
    var name: String
    var room: String
    var staff: Bool
    var code: String
    var link: String
    var expiresAt: Date

    init(_ resident: Resident, _ code: EnrollmentCode, origin: String) {
        id = resident.id
        name = resident.name
        room = resident.room
        staff = resident.staff
        self.code = code.code
        link = PublicOrigin.enrollmentLink(origin: origin, code: code.code)
        expiresAt = code.expiresAt
    }

    var text: String {
        """
        resident \(id): \(name), room \(room)\(staff ? ", staff" : "")
        enrollment code: \(code) (one use, valid until \(expiresAt.iso8601))
        link: \(link)
        """
    }
}

extension ResidentCommands {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a resident and print their one-time enrollment code and link.",
            discussion: "Example: washboard admin resident add --name \"Ada\" --room 101")

        @Option(help: "The resident's name as admins see it.")
        var name: String
        @Option(help: "Their room.")
        var room: String
        @Flag(help: "Staff: they are alerted when residents confirm a machine is broken, and see open reports in the app.")
        var staff = false
        @OptionGroup var enrollment: EnrollmentOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let (resident, code) = try await store.addResident(
                    name: name, room: room, staff: staff, codeValidFor: enrollment.validity, at: .currentSecond)
                let result = EnrollmentOutput(resident, code, origin: try await enrollment.origin(from: store))
                try output.print(result) { result.text }
            }
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new enrollment code for a resident (a new phone, a lost code).")

        @Argument(help: "The resident id.")
        var id: String
        @OptionGroup var enrollment: EnrollmentOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let code = try await store.issueEnrollmentCode(residentId: id, validFor: enrollment.validity, at: .currentSecond)
                let result = EnrollmentOutput(
                    try await store.resident(id), code, origin: try await enrollment.origin(from: store))
                try output.print(result) { result.text }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List residents.")

        static func status(of resident: Resident) -> String {
            resident.revokedAt.map { "revoked \($0.iso8601)" } ?? (resident.staff ? "active, staff" : "active")
        }

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let residents = try await store.residents()
                try output.print(residents) {
                    table(
                        ["ID", "ROOM", "NAME", "STATUS"],
                        residents.map { [$0.id, $0.room, $0.name, Self.status(of: $0)] })
                }
            }
        }
    }

    struct Staff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a resident staff, or with --off no longer staff.",
            discussion: """
                Staff get a report_confirmed alert when enough residents report one machine \
                (serve --report-confirmations), and see the open reports in the app.
                Example: washboard admin resident staff RESIDENT_ID
                """)

        @Argument(help: "The resident id.")
        var id: String
        @Flag(help: "No longer staff.")
        var off = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let resident = try await store.setStaff(id, !off)
                try output.print(resident) {
                    "\(resident.id) (\(resident.name), room \(resident.room)) is \(resident.staff ? "staff" : "not staff")"
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End every session of a resident, remove their push subscriptions and void their unused codes.")

        @Argument(help: "The resident id.")
        var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runAdmin(database) { store in
                let resident = try await store.revokeResident(id, at: .currentSecond)
                try output.print(resident) { "revoked \(resident.id) (\(resident.name), room \(resident.room))" }
            }
        }
    }
}
