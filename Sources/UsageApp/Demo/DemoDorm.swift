import DeviceState
import Foundation

/// The demo dorm of `washboard serve --demo`, read from `Resources/demo-dorm.json`:
/// two locations, washers and dryers, one broken, one running, one done and awaiting
/// pickup, and a live notice. Its labels and texts are in Korean and English; machines and
/// the broken note are seeded in the dorm's language, the notice in both.
enum DemoDorm {
    struct Fixture: Decodable {
        /// A text in each language, by code.
        typealias Texts = [String: String]
        struct MachineSpec: Decodable {
            var id: String
            var kind: Machine.Kind
            var label: Texts
            var location: Texts
            var cycleMinutes: Int
        }
        struct ResidentSpec: Decodable {
            var key: String
            var name: String
            var room: String
        }
        struct UseSpec: Decodable {
            var machine: String
            var resident: String
            var startedMinutesAgo: Int
            var minutes: Int
        }
        struct BrokenSpec: Decodable {
            var machine: String
            var note: Texts
        }
        struct NoticeSpec: Decodable {
            var text: Texts
            var severity: Notice.Severity
        }
        var machines: [MachineSpec]
        var residents: [ResidentSpec]
        var uses: [UseSpec]
        var broken: [BrokenSpec]
        var notices: [NoticeSpec]
    }

    /// The resident whose enrollment code is printed.
    static let demoResidentKey = "demo"

    static func fixture() throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "demo-dorm", withExtension: "json") else {
            throw CLIError.database("the demo dorm resource is missing from this build")
        }
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Fills an empty database with the demo dorm; on an existing one it changes nothing.
    /// Either way it returns a fresh enrollment code for the demo resident.
    static func seed(_ store: any WashboardStore, in language: Language, at now: Date) async throws -> EnrollmentCode {
        func text(_ texts: Fixture.Texts) -> String { texts[language.rawValue] ?? texts[Language.english.rawValue] ?? "" }
        let validity: TimeInterval = 7 * 24 * 3600
        if let residentId = try await store.setting(.demoResident) {
            return try await store.issueEnrollmentCode(residentId: residentId, validFor: validity, at: now)
        }
        guard try await store.machines(includingRemoved: true).isEmpty else {
            throw CLIError.conflict("--demo needs an empty database or one it filled before; use another --db")
        }
        let fixture = try fixture()
        for spec in fixture.machines {
            _ = try await store.addMachine(
                Machine(
                    id: spec.id, kind: spec.kind, label: text(spec.label), location: text(spec.location),
                    cycleMinutes: spec.cycleMinutes, updatedAt: now))
        }
        var residentIds: [String: String] = [:]
        var demoCode: EnrollmentCode?
        for spec in fixture.residents {
            let (resident, code) = try await store.addResident(name: spec.name, room: spec.room, codeValidFor: validity, at: now)
            residentIds[spec.key] = resident.id
            if spec.key == demoResidentKey { demoCode = code }
        }
        for spec in fixture.uses {
            let started = now.addingTimeInterval(-TimeInterval(spec.startedMinutesAgo * 60))
            _ = try await store.startUse(
                StartUseRequest(machineId: spec.machine, residentId: residentIds[spec.resident] ?? "", minutes: spec.minutes),
                at: started)
        }
        for spec in fixture.broken {
            _ = try await store.apply(.markBroken(note: text(spec.note)), toMachine: spec.machine, at: now)
        }
        for spec in fixture.notices {
            _ = try await store.postNotice(
                Notice(
                    id: UUID().uuidString.lowercased(), text: text(spec.text), texts: spec.text, severity: spec.severity,
                    publishAt: now, createdAt: now),
                at: now)
        }
        guard let demoCode, let demoResident = residentIds[demoResidentKey] else {
            throw CLIError.database("the demo dorm fixture has no resident with key \"demo\"")
        }
        try await store.setSetting(.demoResident, to: demoResident)
        return demoCode
    }
}

extension SettingKey {
    /// The demo resident of a database `serve --demo` filled.
    static let demoResident = SettingKey(rawValue: "demo_resident")
}
