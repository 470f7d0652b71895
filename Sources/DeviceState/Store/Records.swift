import Foundation
import GRDB

// Database behaviour of the domain types: one record type per table.

extension Machine: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "machines"
}

extension Use: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uses"
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
