import Foundation
import GRDB

extension SQLiteStore: UseStore {
    public func startUse(_ request: StartUseRequest, at now: Date) async throws -> StartedUse {
        if let minutes = request.minutes { try InputRules.cycleMinutes(minutes) }
        let fingerprint = request.fingerprint
        return try await write { db in
            if let key = request.idempotencyKey,
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT request, response FROM idempotency_keys WHERE residentId = ? AND key = ?"),
                    arguments: [request.residentId, key])
            {
                guard row["request"] as String == fingerprint else {
                    throw DeviceStateError.idempotencyKeyReused(key: key)
                }
                let use = try DomainJSON.decoder().decode(Use.self, from: row["response"] as Data)
                return StartedUse(use: use, replayed: true)
            }
            let before = try Self.machineStatus(db, request.machineId)
            let transition = try MachineTransition.apply(
                .start(residentId: request.residentId), to: before.machine, openUse: before.use, at: now)
            let use = request.use(on: before.machine, at: now)
            try use.insertOpen(db)
            let machine = transition.machine(after: before.machine, at: now)
            try machine.updateState(db)
            let status = MachineStatus(machine: machine, use: use)
            try Self.appendEvent(
                db, topic: .board, kind: .machine, payload: EventPayload.MachineChanged(machine: status), at: now)
            if let key = request.idempotencyKey {
                try db.execute(
                    sql: "INSERT INTO idempotency_keys (residentId, key, request, response, createdAt) VALUES (?, ?, ?, ?, ?)",
                    arguments: [request.residentId, key, fingerprint, try DomainJSON.encoder().encode(use), now])
            }
            return StartedUse(use: use, replayed: false)
        }
    }

    public func collect(useId: String, by residentId: String, at now: Date) async throws -> Use {
        try await closeUse(useId, with: .collect(residentId: residentId), by: residentId, at: now)
    }

    public func cancel(useId: String, by residentId: String, at now: Date) async throws -> Use {
        try await closeUse(useId, with: .cancel(residentId: residentId), by: residentId, at: now)
    }

    private func closeUse(_ useId: String, with command: MachineCommand, by residentId: String, at now: Date) async throws -> Use
    {
        try await write { db in
            guard let use = try Use.fetchOne(db.cachedStatement(sql: "SELECT * FROM uses WHERE id = ?"), arguments: [useId])
            else { throw DeviceStateError.useNotFound(id: useId) }
            guard use.residentId == residentId else { throw DeviceStateError.notUseOwner(useId: useId) }
            guard use.isOpen else { throw DeviceStateError.useAlreadyClosed(use) }
            guard let closed = try Self.apply(db, command, machineId: use.machineId, at: now).closedUse else {
                throw DeviceStateError.useAlreadyClosed(use)
            }
            return closed
        }
    }

    public func openUses(of residentId: String) async throws -> [Use] {
        try await pool.read { db in
            try Use.fetchAll(
                db, sql: "SELECT * FROM uses WHERE residentId = ? AND closedAt IS NULL ORDER BY startedAt",
                arguments: [residentId])
        }
    }

    public func requestPickup(machineId: String, by residentId: String, at now: Date) async throws -> PickupRequest {
        try await write { db in
            let status = try Self.machineStatus(db, machineId)
            let lastRequestAt = try Date.fetchOne(
                db,
                sql: "SELECT max(createdAt) FROM pickup_requests WHERE requesterId = ? AND machineId = ?",
                arguments: [residentId, machineId])
            let use = try PickupRequestRule.use(toRequest: status, by: residentId, lastRequestAt: lastRequestAt, at: now)
            let request = PickupRequest(
                id: Secrets.newShortID(), machineId: machineId, useId: use.id, requesterId: residentId, createdAt: now)
            try request.insert(db)
            try Self.createAlert(db, .pickupRequest(request, use: use, machine: status.machine))
            return request
        }
    }
}
