import Foundation
import PostgresNIO

extension Kiosk {
    static let postgresColumns = "id, name, location, created_at, revoked_at"

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), name: try row.text("name"), location: try row.optionalText("location"),
            createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at"))
    }
}

extension PostgresStore: KioskStore {
    public func addKiosk(name: String, location: String?, at now: Date) async throws -> (Kiosk, token: String) {
        let (name, location) = try InputRules.kiosk(name: name, location: location)
        let kiosk = Kiosk(id: Secrets.newShortID(), name: name, location: location, createdAt: now)
        let token = Secrets.newKioskToken()
        try await write { db in
            try await db.execute(
                """
                INSERT INTO kiosks (id, name, location, token_hash, created_at)
                VALUES (\(kiosk.id), \(kiosk.name), \(kiosk.location), \(Secrets.sha256Hex(token)), \(now))
                """)
        }
        return (kiosk, token)
    }

    public func kiosks() async throws -> [Kiosk] {
        try await read { db in
            try await db.rows(
                "SELECT \(unescaped: Kiosk.postgresColumns) FROM kiosks ORDER BY created_at, id COLLATE \"C\"",
                Kiosk.init(postgres:))
        }
    }

    public func revokeKiosk(_ id: String, at now: Date) async throws -> Kiosk {
        try await write { db in
            guard
                var kiosk = try await db.row(
                    "SELECT \(unescaped: Kiosk.postgresColumns) FROM kiosks WHERE id = \(id)", Kiosk.init(postgres:))
            else { throw DeviceStateError.kioskNotFound(id: id) }
            guard kiosk.revokedAt == nil else { return kiosk }
            kiosk.revokedAt = now
            try await db.execute("UPDATE kiosks SET revoked_at = \(now) WHERE id = \(id)")
            try await db.appendEvent(
                topic: .resident(kiosk.subscriberId), kind: .sessionRevoked, payload: EventPayload.Empty(), at: now)
            return kiosk
        }
    }

    public func kiosk(forToken token: String) async throws -> Kiosk? {
        try await read { db in
            try await db.row(
                """
                SELECT \(unescaped: Kiosk.postgresColumns) FROM kiosks
                WHERE token_hash = \(Secrets.sha256Hex(token)) AND revoked_at IS NULL
                """, Kiosk.init(postgres:))
        }
    }
}
