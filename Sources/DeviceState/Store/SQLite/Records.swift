import Foundation
import GRDB

// Database behaviour of the domain types: one record type per table.

// Machines and uses are read on every write: they decode rows by hand, which costs a
// fraction of the generic Codable path.

extension Machine: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "machines"

    public init(row: Row) throws {
        guard let kind = Kind(rawValue: row["kind"]), let state = State(rawValue: row["state"]) else {
            throw DatabaseError(message: "machine \(row["id"] as String) has an unknown kind or state")
        }
        let heldFor: String? = row["heldFor"]
        let heldUntil: Date? = row["heldUntil"]
        self.init(
            id: row["id"], kind: kind, label: row["label"], location: row["location"], cycleMinutes: row["cycleMinutes"],
            state: state, stateNote: row["stateNote"], updatedAt: row["updatedAt"],
            hold: heldFor.flatMap { residentId in heldUntil.map { MachineHold(residentId: residentId, until: $0) } },
            reportedBy: row["reportedBy"])
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["kind"] = kind.rawValue
        container["label"] = label
        container["location"] = location
        container["cycleMinutes"] = cycleMinutes
        container["state"] = state.rawValue
        container["stateNote"] = stateNote
        container["updatedAt"] = updatedAt
        container["heldFor"] = hold?.residentId
        container["heldUntil"] = hold?.until
        container["reportedBy"] = reportedBy
    }

    /// Writes the fields a transition changes.
    func updateState(_ db: Database) throws {
        try db.cachedStatement(
            sql:
                "UPDATE machines SET state = ?, stateNote = ?, updatedAt = ?, heldFor = ?, heldUntil = ?, reportedBy = ? WHERE id = ?"
        )
        .execute(arguments: [state.rawValue, stateNote, updatedAt, hold?.residentId, hold?.until, reportedBy, id])
    }
}

extension WaitlistEntry: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "waitlist"
}

extension Use: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uses"

    public init(row: Row) throws {
        let reason: String? = row["closeReason"]
        let source: String? = row["startedFrom"]
        self.init(
            id: row["id"], machineId: row["machineId"], residentId: row["residentId"], startedAt: row["startedAt"],
            endsAt: row["endsAt"], closedAt: row["closedAt"], closeReason: reason.flatMap(CloseReason.init(rawValue:)),
            startedFrom: source.flatMap(Source.init(rawValue:)))
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["machineId"] = machineId
        container["residentId"] = residentId
        container["startedAt"] = startedAt
        container["endsAt"] = endsAt
        container["closedAt"] = closedAt
        container["closeReason"] = closeReason?.rawValue
        container["startedFrom"] = startedFrom?.rawValue
    }

    static func fetchOpen(_ db: Database, machineId: String) throws -> Use? {
        try fetchOne(
            db.cachedStatement(sql: "SELECT * FROM uses WHERE machineId = ? AND closedAt IS NULL"), arguments: [machineId])
    }

    func insertOpen(_ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO uses (id, machineId, residentId, startedAt, endsAt, startedFrom) VALUES (?, ?, ?, ?, ?, ?)"
        )
        .execute(arguments: [id, machineId, residentId, startedAt, endsAt, startedFrom?.rawValue])
    }

    func updateClosed(_ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE uses SET closedAt = ?, closeReason = ? WHERE id = ?")
            .execute(arguments: [closedAt, closeReason?.rawValue, id])
    }
}

extension Resident: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "residents"
}

extension Notice: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "notices"
}

extension Alert: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "alerts"
}

extension ProblemReport: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "reports"
}

extension PickupRequest: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "pickup_requests"
}

extension Event: FetchableRecord {
    public init(row: Row) throws {
        let topicText: String = row["topic"]
        let typeText: String = row["type"]
        guard let topic = Topic(topicText), let kind = Kind(rawValue: typeText) else {
            throw DatabaseError(message: "event \(row["seq"] as Int64) has an unknown topic or type")
        }
        self.init(seq: row["seq"], at: row["at"], topic: topic, kind: kind, payload: Data((row["payload"] as String).utf8))
    }
}

/// The JSON coders of the domain: camelCase keys, ISO-8601 dates in UTC.
extension Alert {
    /// ``content`` as stored: JSON text, or nil.
    var contentJSON: String? {
        content.flatMap { try? String(decoding: DomainJSON.encoder().encode($0), as: UTF8.self) }
    }

    static func content(fromJSON json: String?) -> AlertContent? {
        json.flatMap { try? DomainJSON.decoder().decode(AlertContent.self, from: Data($0.utf8)) }
    }
}

extension Notice {
    /// ``texts`` as stored: a JSON object.
    var textsJSON: String { (try? String(decoding: DomainJSON.encoder().encode(texts), as: UTF8.self)) ?? "{}" }

    static func texts(fromJSON json: String) -> [String: String] {
        (try? DomainJSON.decoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }
}

public enum DomainJSON {
    /// Keys sorted: the same value always encodes to the same bytes (idempotent replays, ETags).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension Outage: FetchableRecord {}
