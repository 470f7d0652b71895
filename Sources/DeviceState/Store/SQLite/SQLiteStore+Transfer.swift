import Foundation
import GRDB

extension SQLiteStore: DormTransfer {
    public func exportDorm() async throws -> DormSnapshot {
        try await pool.read { db in
            var dorm = DormSnapshot()
            for row in try Row.fetchAll(db, sql: "SELECT * FROM machines") {
                dorm.machines.append(.init(machine: try Machine(row: row), removedAt: row["removedAt"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM residents") {
                dorm.residents.append(.init(resident: try Resident(row: row), preferences: row["preferences"]))
            }
            dorm.enrollmentCodes = try Row.fetchAll(db, sql: "SELECT * FROM enrollment_codes").map {
                .init(
                    codeHash: $0["codeHash"], residentId: $0["residentId"], createdAt: $0["createdAt"],
                    expiresAt: $0["expiresAt"], redeemedAt: $0["redeemedAt"])
            }
            dorm.sessions = try Row.fetchAll(db, sql: "SELECT * FROM sessions").map {
                .init(
                    tokenHash: $0["tokenHash"], residentId: $0["residentId"], createdAt: $0["createdAt"],
                    lastSeenAt: $0["lastSeenAt"])
            }
            dorm.uses = try Use.fetchAll(db, sql: "SELECT * FROM uses")
            dorm.idempotencyKeys = try Row.fetchAll(db, sql: "SELECT * FROM idempotency_keys").map {
                .init(
                    residentId: $0["residentId"], key: $0["key"], request: $0["request"],
                    response: String(decoding: $0["response"] as Data, as: UTF8.self), createdAt: $0["createdAt"])
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM notices") {
                dorm.notices.append(
                    .init(
                        notice: try Notice(row: row), announcedAt: row["announcedAt"],
                        expiryAnnouncedAt: row["expiryAnnouncedAt"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM alerts") {
                dorm.alerts.append(
                    .init(
                        alert: try Alert(row: row), ackedAt: row["ackedAt"], pushQueuedAt: row["pushQueuedAt"],
                        pushNotBefore: row["pushNotBefore"], readAt: row["readAt"], liveSentAt: row["liveSentAt"],
                        liveSockets: row["liveSockets"], heldReason: row["heldReason"], routedAs: row["routedAs"],
                        routeReason: row["routeReason"]))
            }
            dorm.pickupRequests = try PickupRequest.fetchAll(db, sql: "SELECT * FROM pickup_requests")
            dorm.reports = try ProblemReport.fetchAll(db, sql: "SELECT * FROM reports")
            dorm.events = try Event.fetchAll(db, sql: "SELECT * FROM events ORDER BY seq")
            dorm.settings = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM settings").map {
                    ($0["key"] as String, $0["value"] as String)
                })
            dorm.pushSubscriptions = try PushSubscriptionRecord.fetchAll(db, sql: "SELECT * FROM push_subscriptions")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM push_outbox") {
                dorm.pushOutbox.append(
                    .init(entry: try PushOutboxEntry(row: row), leaseOwner: row["leaseOwner"], leaseUntil: row["leaseUntil"]))
            }
            dorm.outages = try Row.fetchAll(db, sql: "SELECT * FROM machine_outages ORDER BY id").map {
                .init(
                    id: $0["id"],
                    outage: Outage(
                        machineId: $0["machineId"], note: $0["note"], startedAt: $0["startedAt"], endedAt: $0["endedAt"]))
            }
            dorm.waitlist = try Self.waiting(db)
            for row in try Row.fetchAll(db, sql: "SELECT * FROM kiosks") {
                dorm.kiosks.append(.init(kiosk: try Kiosk(row: row), tokenHash: row["tokenHash"]))
            }
            return dorm
        }
    }

    public func importDorm(_ dorm: DormSnapshot) async throws {
        try await write { db in
            let counts = try Self.rowCounts(db)
            guard counts.values.allSatisfy({ $0 == 0 }) else { throw DormSnapshot.TargetNotEmpty(counts: counts) }
            for row in dorm.machines {
                try row.machine.insert(db)
                try db.execute(sql: "UPDATE machines SET removedAt = ? WHERE id = ?", arguments: [row.removedAt, row.machine.id])
            }
            for row in dorm.residents {
                try row.resident.insert(db)
                try db.execute(
                    sql: "UPDATE residents SET preferences = ? WHERE id = ?", arguments: [row.preferences, row.resident.id])
            }
            for code in dorm.enrollmentCodes {
                try db.execute(
                    sql:
                        "INSERT INTO enrollment_codes (codeHash, residentId, createdAt, expiresAt, redeemedAt) VALUES (?, ?, ?, ?, ?)",
                    arguments: [code.codeHash, code.residentId, code.createdAt, code.expiresAt, code.redeemedAt])
            }
            for session in dorm.sessions {
                try db.execute(
                    sql: "INSERT INTO sessions (tokenHash, residentId, createdAt, lastSeenAt) VALUES (?, ?, ?, ?)",
                    arguments: [session.tokenHash, session.residentId, session.createdAt, session.lastSeenAt])
            }
            for use in dorm.uses { try use.insert(db) }
            for key in dorm.idempotencyKeys {
                try db.execute(
                    sql: "INSERT INTO idempotency_keys (residentId, key, request, response, createdAt) VALUES (?, ?, ?, ?, ?)",
                    arguments: [key.residentId, key.key, key.request, Data(key.response.utf8), key.createdAt])
            }
            for row in dorm.notices {
                try row.notice.insert(db)
                try db.execute(
                    sql: "UPDATE notices SET announcedAt = ?, expiryAnnouncedAt = ? WHERE id = ?",
                    arguments: [row.announcedAt, row.expiryAnnouncedAt, row.notice.id])
            }
            for row in dorm.alerts {
                try row.alert.insert(db)
                try db.execute(
                    sql: """
                        UPDATE alerts SET ackedAt = ?, pushQueuedAt = ?, pushNotBefore = ?, readAt = ?, liveSentAt = ?,
                            liveSockets = ?, heldReason = ?, routedAs = ?, routeReason = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        row.ackedAt, row.pushQueuedAt, row.pushNotBefore, row.readAt, row.liveSentAt, row.liveSockets,
                        row.heldReason, row.routedAs, row.routeReason, row.alert.id,
                    ])
            }
            for request in dorm.pickupRequests { try request.insert(db) }
            for report in dorm.reports { try report.insert(db) }
            for event in dorm.events {
                try db.execute(
                    sql: "INSERT INTO events (seq, at, topic, type, payload) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        event.seq, event.at, event.topic.description, event.kind.rawValue,
                        String(decoding: event.payload, as: UTF8.self),
                    ])
            }
            for (key, value) in dorm.settings {
                try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            for subscription in dorm.pushSubscriptions { try subscription.insert(db) }
            for row in dorm.pushOutbox {
                try row.entry.insert(db)
                try db.execute(
                    sql: "UPDATE push_outbox SET leaseOwner = ?, leaseUntil = ? WHERE id = ?",
                    arguments: [row.leaseOwner, row.leaseUntil, row.entry.id])
            }
            for row in dorm.outages {
                try db.execute(
                    sql: "INSERT INTO machine_outages (id, machineId, note, startedAt, endedAt) VALUES (?, ?, ?, ?, ?)",
                    arguments: [row.id, row.outage.machineId, row.outage.note, row.outage.startedAt, row.outage.endedAt])
            }
            for entry in dorm.waitlist { try entry.insert(db) }
            for row in dorm.kiosks {
                let kiosk = row.kiosk
                try db.execute(
                    sql: "INSERT INTO kiosks (id, name, location, tokenHash, createdAt, revokedAt) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [kiosk.id, kiosk.name, kiosk.location, row.tokenHash, kiosk.createdAt, kiosk.revokedAt])
            }
        }
    }

    public func rowCounts() async throws -> [String: Int] {
        try await pool.read { try Self.rowCounts($0) }
    }

    static func rowCounts(_ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in DormSnapshot.tables {
            counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        }
        return counts
    }
}
