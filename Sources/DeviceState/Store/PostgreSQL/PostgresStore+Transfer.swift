import Foundation
import PostgresNIO

extension PostgresStore: DormTransfer {
    public func exportDorm() async throws -> DormSnapshot {
        try await transaction { db in
            try await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            var dorm = DormSnapshot()
            dorm.machines = try await db.rows("SELECT \(unescaped: Machine.postgresColumns), removed_at FROM machines") {
                .init(machine: try Machine(postgres: $0), removedAt: try $0.optionalDate("removed_at"))
            }
            dorm.residents = try await db.rows("SELECT \(unescaped: Resident.postgresColumns), preferences FROM residents") {
                .init(resident: try Resident(postgres: $0), preferences: try $0.text("preferences"))
            }
            dorm.enrollmentCodes = try await db.rows("SELECT * FROM enrollment_codes") {
                .init(
                    codeHash: try $0.text("code_hash"), residentId: try $0.text("resident_id"),
                    createdAt: try $0.date("created_at"),
                    expiresAt: try $0.date("expires_at"), redeemedAt: try $0.optionalDate("redeemed_at"))
            }
            dorm.sessions = try await db.rows("SELECT * FROM sessions") {
                .init(
                    tokenHash: try $0.text("token_hash"), residentId: try $0.text("resident_id"),
                    createdAt: try $0.date("created_at"), lastSeenAt: try $0.optionalDate("last_seen_at"))
            }
            dorm.uses = try await db.rows("SELECT \(unescaped: Use.postgresColumns) FROM uses", { try Use(postgres: $0) })
            dorm.idempotencyKeys = try await db.rows("SELECT * FROM idempotency_keys") {
                .init(
                    residentId: try $0.text("resident_id"), key: try $0.text("key"), request: try $0.text("request"),
                    response: try $0.text("response"), createdAt: try $0.date("created_at"))
            }
            dorm.notices = try await db.rows(
                "SELECT \(unescaped: Notice.postgresColumns), announced_at, expiry_announced_at FROM notices"
            ) {
                .init(
                    notice: try Notice(postgres: $0), announcedAt: try $0.optionalDate("announced_at"),
                    expiryAnnouncedAt: try $0.optionalDate("expiry_announced_at"))
            }
            dorm.alerts = try await db.rows(
                """
                SELECT \(unescaped: Alert.postgresColumns), acked_at, push_queued_at, push_not_before, read_at, live_sent_at,
                    live_sockets, held_reason, routed_as, route_reason
                FROM alerts
                """
            ) {
                .init(
                    alert: try Alert(postgres: $0), ackedAt: try $0.optionalDate("acked_at"),
                    pushQueuedAt: try $0.optionalDate("push_queued_at"), pushNotBefore: try $0.optionalDate("push_not_before"),
                    readAt: try $0.optionalDate("read_at"), liveSentAt: try $0.optionalDate("live_sent_at"),
                    liveSockets: try $0.int("live_sockets"), heldReason: try $0.optionalText("held_reason"),
                    routedAs: try $0.optionalText("routed_as"), routeReason: try $0.optionalText("route_reason"))
            }
            dorm.pickupRequests = try await db.rows("SELECT * FROM pickup_requests") {
                PickupRequest(
                    id: try $0.text("id"), machineId: try $0.text("machine_id"), useId: try $0.text("use_id"),
                    requesterId: try $0.text("requester_id"), createdAt: try $0.date("created_at"))
            }
            dorm.reports = try await db.rows(
                "SELECT \(unescaped: ProblemReport.postgresColumns) FROM reports", ProblemReport.init(postgres:))
            dorm.events = try await db.rows(
                "SELECT seq, at, topic, type, payload FROM events ORDER BY seq", Event.init(postgres:))
            for (key, value) in try await db.rows(
                "SELECT key, value FROM settings", { (try $0.text("key"), try $0.text("value")) })
            {
                dorm.settings[key] = value
            }
            dorm.pushSubscriptions = try await db.rows(
                "SELECT \(unescaped: PushSubscriptionRecord.postgresColumns) FROM push_subscriptions",
                PushSubscriptionRecord.init(postgres:))
            dorm.pushOutbox = try await db.rows(
                "SELECT \(unescaped: PushOutboxEntry.postgresColumns), lease_owner, lease_until FROM push_outbox"
            ) {
                .init(
                    entry: try PushOutboxEntry(postgres: $0), leaseOwner: try $0.optionalText("lease_owner"),
                    leaseUntil: try $0.optionalDate("lease_until"))
            }
            dorm.outages = try await db.rows("SELECT * FROM machine_outages ORDER BY id") {
                .init(id: try $0["id"].decode(Int64.self), outage: try Outage(postgres: $0))
            }
            dorm.waitlist = try await Self.waiting(db)
            dorm.kiosks = try await db.rows("SELECT \(unescaped: Kiosk.postgresColumns), token_hash FROM kiosks") {
                .init(kiosk: try Kiosk(postgres: $0), tokenHash: try $0.text("token_hash"))
            }
            return dorm
        }
    }

    public func importDorm(_ dorm: DormSnapshot) async throws {
        try await write { db in
            let counts = try await Self.rowCounts(db)
            guard counts.values.allSatisfy({ $0 == 0 }) else { throw DormSnapshot.TargetNotEmpty(counts: counts) }
            for row in dorm.machines {
                let machine = row.machine
                try await db.execute(
                    """
                    INSERT INTO machines (id, kind, label, location, cycle_minutes, state, state_note, updated_at, removed_at,
                        held_for, held_until, reported_by)
                    VALUES (\(machine.id), \(machine.kind.rawValue), \(machine.label), \(machine.location),
                        \(machine.cycleMinutes), \(machine.state.rawValue), \(machine.stateNote), \(machine.updatedAt),
                        \(row.removedAt), \(machine.hold?.residentId), \(machine.hold?.until), \(machine.reportedBy))
                    """)
            }
            for row in dorm.residents {
                let resident = row.resident
                try await db.execute(
                    """
                    INSERT INTO residents (id, name, room, created_at, revoked_at, staff, preferences)
                    VALUES (\(resident.id), \(resident.name), \(resident.room), \(resident.createdAt), \(resident.revokedAt),
                        \(resident.staff), \(row.preferences))
                    """)
            }
            for code in dorm.enrollmentCodes {
                try await db.execute(
                    """
                    INSERT INTO enrollment_codes (code_hash, resident_id, created_at, expires_at, redeemed_at)
                    VALUES (\(code.codeHash), \(code.residentId), \(code.createdAt), \(code.expiresAt), \(code.redeemedAt))
                    """)
            }
            for session in dorm.sessions {
                try await db.execute(
                    """
                    INSERT INTO sessions (token_hash, resident_id, created_at, last_seen_at)
                    VALUES (\(session.tokenHash), \(session.residentId), \(session.createdAt), \(session.lastSeenAt))
                    """)
            }
            for use in dorm.uses {
                try await db.execute(
                    """
                    INSERT INTO uses (id, machine_id, resident_id, started_at, ends_at, closed_at, close_reason, started_from)
                    VALUES (\(use.id), \(use.machineId), \(use.residentId), \(use.startedAt), \(use.endsAt), \(use.closedAt),
                        \(use.closeReason?.rawValue), \(use.startedFrom?.rawValue))
                    """)
            }
            for key in dorm.idempotencyKeys {
                try await db.execute(
                    """
                    INSERT INTO idempotency_keys (resident_id, key, request, response, created_at)
                    VALUES (\(key.residentId), \(key.key), \(key.request), \(key.response), \(key.createdAt))
                    """)
            }
            for row in dorm.notices {
                let notice = row.notice
                try await db.execute(
                    """
                    INSERT INTO notices (id, text, texts, severity, location, machine_ids, publish_at, expires_at, retracted_at,
                        push, quiet, urgent, created_at, announced_at, expiry_announced_at)
                    VALUES (\(notice.id), \(notice.text), \(notice.textsJSON), \(notice.severity.rawValue), \(notice.location), \(notice.machineIds),
                        \(notice.publishAt), \(notice.expiresAt), \(notice.retractedAt), \(notice.push), \(notice.quiet),
                        \(notice.urgent), \(notice.createdAt), \(row.announcedAt), \(row.expiryAnnouncedAt))
                    """)
            }
            for row in dorm.alerts {
                let alert = row.alert
                try await db.execute(
                    """
                    INSERT INTO alerts (id, resident_id, kind, title, body, machine_id, use_id, dedupe_key, at, acked_at,
                        push_queued_at, push_not_before, read_at, live_sent_at, live_sockets, held_reason, routed_as, route_reason,
                        content)
                    VALUES (\(alert.id), \(alert.residentId), \(alert.kind.rawValue), \(alert.title), \(alert.body),
                        \(alert.machineId), \(alert.useId), \(alert.dedupeKey), \(alert.at), \(row.ackedAt), \(row.pushQueuedAt),
                        \(row.pushNotBefore), \(row.readAt), \(row.liveSentAt), \(row.liveSockets), \(row.heldReason),
                        \(row.routedAs), \(row.routeReason), \(alert.contentJSON))
                    """)
            }
            for request in dorm.pickupRequests {
                try await db.execute(
                    """
                    INSERT INTO pickup_requests (id, machine_id, use_id, requester_id, created_at)
                    VALUES (\(request.id), \(request.machineId), \(request.useId), \(request.requesterId), \(request.createdAt))
                    """)
            }
            for report in dorm.reports {
                try await db.execute(
                    """
                    INSERT INTO reports (id, machine_id, resident_id, text, created_at, resolved_at, resolution)
                    VALUES (\(report.id), \(report.machineId), \(report.residentId), \(report.text), \(report.createdAt),
                        \(report.resolvedAt), \(report.resolution))
                    """)
            }
            for event in dorm.events {
                try await db.execute(
                    """
                    INSERT INTO events (seq, at, topic, type, payload)
                    VALUES (\(event.seq), \(event.at), \(event.topic.description), \(event.kind.rawValue),
                        \(String(decoding: event.payload, as: UTF8.self)))
                    """)
            }
            for (key, value) in dorm.settings {
                try await db.execute("INSERT INTO settings (key, value) VALUES (\(key), \(value))")
            }
            for subscription in dorm.pushSubscriptions {
                try await db.execute(
                    """
                    INSERT INTO push_subscriptions (id, resident_id, endpoint, p256dh, auth, created_at, last_success_at,
                        last_failure_at, last_failure_status, consecutive_failures, gone_at)
                    VALUES (\(subscription.id), \(subscription.residentId), \(subscription.endpoint), \(subscription.p256dh),
                        \(subscription.auth), \(subscription.createdAt), \(subscription.lastSuccessAt), \(subscription.lastFailureAt),
                        \(subscription.lastFailureStatus), \(subscription.consecutiveFailures), \(subscription.goneAt))
                    """)
            }
            for row in dorm.pushOutbox {
                let entry = row.entry
                try await db.execute(
                    """
                    INSERT INTO push_outbox (id, subscription_id, resident_id, endpoint_origin, alert_id, payload, urgency, topic,
                        created_at, expires_at, state, attempts, next_attempt_at, lease_owner, lease_until, last_status,
                        last_error, settled_at)
                    VALUES (\(entry.id), \(entry.subscriptionId), \(entry.residentId), \(entry.endpointOrigin), \(entry.alertId),
                        \(entry.payload), \(entry.urgency.rawValue), \(entry.topic), \(entry.createdAt), \(entry.expiresAt),
                        \(entry.state.rawValue), \(entry.attempts), \(entry.nextAttemptAt), \(row.leaseOwner), \(row.leaseUntil),
                        \(entry.lastStatus), \(entry.lastError), \(entry.settledAt))
                    """)
            }
            for row in dorm.outages {
                let outage = row.outage
                try await db.execute(
                    """
                    INSERT INTO machine_outages (id, machine_id, note, started_at, ended_at)
                    VALUES (\(row.id), \(outage.machineId), \(outage.note), \(outage.startedAt), \(outage.endedAt))
                    """)
            }
            for row in dorm.kiosks {
                let kiosk = row.kiosk
                try await db.execute(
                    """
                    INSERT INTO kiosks (id, name, location, token_hash, created_at, revoked_at)
                    VALUES (\(kiosk.id), \(kiosk.name), \(kiosk.location), \(row.tokenHash), \(kiosk.createdAt), \(kiosk.revokedAt))
                    """)
            }
            for entry in dorm.waitlist {
                try await db.execute(
                    """
                    INSERT INTO waitlist (id, resident_id, kind, location, created_at, expires_at)
                    VALUES (\(entry.id), \(entry.residentId), \(entry.kind.rawValue), \(entry.location), \(entry.createdAt),
                        \(entry.expiresAt))
                    """)
            }
            // The identities go on after the numbers the dorm brought.
            for table in ["events", "machine_outages"] {
                let column = table == "events" ? "seq" : "id"
                try await db.execute(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'),
                                greatest(coalesce(max(\(column)), 0), 1), max(\(column)) IS NOT NULL) FROM \(table)
                            """))
            }
        }
    }

    public func rowCounts() async throws -> [String: Int] {
        try await read { try await Self.rowCounts($0) }
    }

    static func rowCounts(_ db: Transaction) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in DormSnapshot.tables {
            counts[table] = try await db.value(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), as: Int.self) ?? 0
        }
        return counts
    }
}
