import Foundation
import PostgresNIO

extension PostgresStore: UseStore {
    public func startUse(_ request: StartUseRequest, at now: Date) async throws -> StartedUse {
        if let minutes = request.minutes { try InputRules.cycleMinutes(minutes) }
        let fingerprint = request.fingerprint
        return try await write { db in
            if let key = request.idempotencyKey,
                let stored = try await db.row(
                    "SELECT request, response FROM idempotency_keys WHERE resident_id = \(request.residentId) AND key = \(key)",
                    { (request: try $0.text("request"), response: try $0.text("response")) })
            {
                guard stored.request == fingerprint else { throw DeviceStateError.idempotencyKeyReused(key: key) }
                let use = try DomainJSON.decoder().decode(Use.self, from: Data(stored.response.utf8))
                return StartedUse(use: use, replayed: true)
            }
            let before = try await Self.machineStatus(db, request.machineId)
            let transition = try MachineTransition.apply(
                .start(residentId: request.residentId), to: before.machine, openUse: before.use, at: now)
            let use = request.use(on: before.machine, at: now)
            try await db.execute(Prepared.InsertUse(use))
            let machine = transition.machine(after: before.machine, at: now)
            try await Self.change(db, to: MachineStatus(machine: machine, use: use))
            if let key = request.idempotencyKey {
                let response = try Transaction.json(use)
                try await db.execute(
                    """
                    INSERT INTO idempotency_keys (resident_id, key, request, response, created_at)
                    VALUES (\(request.residentId), \(key), \(fingerprint), \(response), \(now))
                    """)
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
            guard
                let use = try await db.row(Prepared.UseByID(id: useId), { try Use(postgres: $0) })
            else { throw DeviceStateError.useNotFound(id: useId) }
            guard use.residentId == residentId else { throw DeviceStateError.notUseOwner(useId: useId) }
            guard use.isOpen else { throw DeviceStateError.useAlreadyClosed(use) }
            guard let closed = try await Self.apply(db, command, machineId: use.machineId, at: now).closedUse else {
                throw DeviceStateError.useAlreadyClosed(use)
            }
            return closed
        }
    }

    public func openUses(of residentId: String) async throws -> [Use] {
        try await read { db in
            try await db.rows(
                """
                SELECT \(unescaped: Use.postgresColumns) FROM uses WHERE resident_id = \(residentId) AND closed_at IS NULL
                ORDER BY started_at
                """, { try Use(postgres: $0) })
        }
    }

    public func requestPickup(machineId: String, by residentId: String, at now: Date) async throws -> PickupRequest {
        try await write { db in
            let status = try await Self.machineStatus(db, machineId)
            let lastRequestAt = try await db.value(
                "SELECT max(created_at) FROM pickup_requests WHERE requester_id = \(residentId) AND machine_id = \(machineId)",
                as: Date.self)
            let use = try PickupRequestRule.use(toRequest: status, by: residentId, lastRequestAt: lastRequestAt, at: now)
            let request = PickupRequest(
                id: Secrets.newShortID(), machineId: machineId, useId: use.id, requesterId: residentId, createdAt: now)
            try await db.execute(
                """
                INSERT INTO pickup_requests (id, machine_id, use_id, requester_id, created_at)
                VALUES (\(request.id), \(request.machineId), \(request.useId), \(request.requesterId), \(request.createdAt))
                """)
            try await Self.createAlert(db, .pickupRequest(request, use: use, machine: status.machine))
            return request
        }
    }
}

extension PostgresStore: ReportStore {
    public func reportProblem(machineId: String, by residentId: String, text: String, at now: Date) async throws -> ProblemReport
    {
        let text = try InputRules.reportText(text)
        return try await write { db in
            let status = try await Self.machineStatus(db, machineId)
            let report = ProblemReport(
                id: Secrets.newShortID(), machineId: machineId, residentId: residentId, text: text, createdAt: now)
            try await db.execute(
                """
                INSERT INTO reports (id, machine_id, resident_id, text, created_at)
                VALUES (\(report.id), \(report.machineId), \(report.residentId), \(report.text), \(report.createdAt))
                """)
            let outcome = try await Self.crowdReports(db).afterReport(
                openReports: try await Self.openReports(db, machineId: machineId), reportedBy: status.machine.reportedBy,
                at: now)
            var machine = status.machine
            machine.reportedBy = outcome.reportedBy
            if machine != status.machine { try await Self.change(db, to: MachineStatus(machine: machine, use: status.use)) }
            if outcome.confirmsNow {
                for staffId in try await Self.staffIds(db) {
                    try await Self.createAlert(db, .reportConfirmed(report, machine: machine, for: staffId, at: now))
                }
            }
            return report
        }
    }

    public func reports(openOnly: Bool) async throws -> [ProblemReport] {
        try await read { db in
            try await db.rows(
                """
                SELECT \(unescaped: ProblemReport.postgresColumns) FROM reports
                \(unescaped: openOnly ? "WHERE resolved_at IS NULL" : "") ORDER BY created_at DESC, id COLLATE "C"
                """, ProblemReport.init(postgres:))
        }
    }

    public func resolveReport(_ id: String, resolution: String?, at now: Date) async throws -> ProblemReport {
        try await write { db in
            guard
                var report = try await db.row(
                    "SELECT \(unescaped: ProblemReport.postgresColumns) FROM reports WHERE id = \(id)",
                    ProblemReport.init(postgres:))
            else { throw DeviceStateError.reportNotFound(id: id) }
            guard report.resolvedAt == nil else { throw DeviceStateError.reportResolved(id: id) }
            report.resolvedAt = now
            report.resolution = resolution
            try await db.execute("UPDATE reports SET resolved_at = \(now), resolution = \(resolution) WHERE id = \(id)")
            // A removed machine's reports can still be resolved; it is on no board.
            if let status = try? await Self.machineStatus(db, report.machineId) {
                var machine = status.machine
                machine.reportedBy = CrowdReports.afterResolving(
                    openReports: try await Self.openReports(db, machineId: machine.id), reportedBy: machine.reportedBy)
                if machine != status.machine { try await Self.change(db, to: MachineStatus(machine: machine, use: status.use)) }
            }
            return report
        }
    }

    // MARK: Inside a transaction

    static func openReports(_ db: Transaction, machineId: String) async throws -> [ProblemReport] {
        try await db.rows(
            """
            SELECT \(unescaped: ProblemReport.postgresColumns) FROM reports
            WHERE machine_id = \(machineId) AND resolved_at IS NULL ORDER BY created_at, id COLLATE "C"
            """, ProblemReport.init(postgres:))
    }

    static func crowdReports(_ db: Transaction) async throws -> CrowdReports {
        CrowdReports(
            confirmationsSetting: try await setting(db, .reportConfirmations),
            windowHoursSetting: try await setting(db, .reportWindowHours))
    }

    /// A repair resolves the machine's open reports and tells their reporters, and the
    /// residents waiting for a machine like it, that it works again.
    static func announceRepair(_ db: Transaction, of machine: Machine, at now: Date) async throws {
        let reports = try await openReports(db, machineId: machine.id)
        try await db.execute(
            """
            UPDATE reports SET resolved_at = \(now), resolution = \(ProblemReport.repairedResolution)
            WHERE machine_id = \(machine.id) AND resolved_at IS NULL
            """)
        let waiting = try await waiting(db, kind: machine.kind)
        for alert in Alert.workingAgain(machine, openReports: reports, waiting: waiting, at: now) {
            try await createAlert(db, alert)
        }
    }
}
