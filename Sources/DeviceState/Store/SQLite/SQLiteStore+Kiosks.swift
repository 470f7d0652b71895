import Foundation
import GRDB

extension Kiosk: FetchableRecord {}

extension SQLiteStore: KioskStore {
    public func addKiosk(name: String, location: String?, at now: Date) async throws -> (Kiosk, token: String) {
        let (name, location) = try InputRules.kiosk(name: name, location: location)
        let kiosk = Kiosk(id: Secrets.newShortID(), name: name, location: location, createdAt: now)
        let token = Secrets.newKioskToken()
        try await write { db in
            try db.execute(
                sql: "INSERT INTO kiosks (id, name, location, tokenHash, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [kiosk.id, kiosk.name, kiosk.location, Secrets.sha256Hex(token), now])
        }
        return (kiosk, token)
    }

    public func kiosks() async throws -> [Kiosk] {
        try await pool.read { db in
            try Kiosk.fetchAll(db, sql: "SELECT id, name, location, createdAt, revokedAt FROM kiosks ORDER BY createdAt, id")
        }
    }

    public func revokeKiosk(_ id: String, at now: Date) async throws -> Kiosk {
        try await write { db in
            guard
                var kiosk = try Kiosk.fetchOne(
                    db, sql: "SELECT id, name, location, createdAt, revokedAt FROM kiosks WHERE id = ?", arguments: [id])
            else { throw DeviceStateError.kioskNotFound(id: id) }
            guard kiosk.revokedAt == nil else { return kiosk }
            kiosk.revokedAt = now
            try db.execute(sql: "UPDATE kiosks SET revokedAt = ? WHERE id = ?", arguments: [now, id])
            try Self.appendEvent(
                db, topic: .resident(kiosk.subscriberId), kind: .sessionRevoked, payload: EventPayload.Empty(), at: now)
            return kiosk
        }
    }

    public func kiosk(forToken token: String) async throws -> Kiosk? {
        try await pool.read { db in
            try Kiosk.fetchOne(
                db.cachedStatement(
                    sql: "SELECT id, name, location, createdAt, revokedAt FROM kiosks WHERE tokenHash = ? AND revokedAt IS NULL"),
                arguments: [Secrets.sha256Hex(token)])
        }
    }
}
