import Foundation
import PostgresNIO

// The domain types from PostgreSQL rows, by column name (snake_case).

extension PostgresRandomAccessRow {
    func text(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalText(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func date(_ column: String) throws -> Date { try self[column].decode(Date.self) }
    func optionalDate(_ column: String) throws -> Date? { try self[column].decode(Date?.self) }
    func int(_ column: String) throws -> Int { try self[column].decode(Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try self[column].decode(Int?.self) }

    /// A column holding the raw value of `T`.
    func value<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw = try text(column)
        guard let value = T(rawValue: raw) else { throw UnknownValue(column: column, value: raw) }
        return value
    }
}

/// A row holds a value the code does not know: the database is newer than this build, or damaged.
struct UnknownValue: Error, CustomStringConvertible {
    var column: String
    var value: String
    var description: String { "unknown \(column) \(value.debugDescription) in the database" }
}

extension Machine {
    static let postgresColumns =
        "id, kind, label, location, cycle_minutes, state, state_note, updated_at, held_for, held_until, reported_by"

    init(postgres row: PostgresRandomAccessRow) throws {
        let heldUntil = try row.optionalDate("held_until")
        self.init(
            id: try row.text("id"), kind: try row.value("kind"), label: try row.text("label"),
            location: try row.text("location"), cycleMinutes: try row.int("cycle_minutes"), state: try row.value("state"),
            stateNote: try row.optionalText("state_note"), updatedAt: try row.date("updated_at"),
            hold: try row.optionalText("held_for").flatMap { residentId in
                heldUntil.map { MachineHold(residentId: residentId, until: $0) }
            }, reportedBy: try row.optionalInt("reported_by"))
    }
}

extension WaitlistEntry {
    static let postgresColumns = "id, resident_id, kind, location, created_at, expires_at"

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), residentId: try row.text("resident_id"), kind: try row.value("kind"),
            location: try row.optionalText("location"), createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at"))
    }
}

extension Use {
    static let postgresColumns = "id, machine_id, resident_id, started_at, ends_at, closed_at, close_reason, started_from"

    /// - Parameter prefix: what the column names start with, when a join named them so.
    init(postgres row: PostgresRandomAccessRow, prefix: String = "") throws {
        self.init(
            id: try row.text(prefix + "id"), machineId: try row.text(prefix + "machine_id"),
            residentId: try row.text(prefix + "resident_id"), startedAt: try row.date(prefix + "started_at"),
            endsAt: try row.date(prefix + "ends_at"), closedAt: try row.optionalDate(prefix + "closed_at"),
            closeReason: try row.optionalText(prefix + "close_reason").flatMap(CloseReason.init(rawValue:)),
            startedFrom: try row.optionalText(prefix + "started_from").flatMap(Source.init(rawValue:)))
    }
}

extension Resident {
    static let postgresColumns = "id, name, room, created_at, revoked_at, staff"

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), name: try row.text("name"), room: try row.text("room"),
            createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at"),
            staff: try row["staff"].decode(Bool.self))
    }
}

extension Notice {
    static let postgresColumns =
        "id, text, texts, severity, location, machine_ids, publish_at, expires_at, retracted_at, push, quiet, urgent, created_at"

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), text: try row.text("text"), texts: Notice.texts(fromJSON: try row.text("texts")),
            severity: try row.value("severity"),
            location: try row.optionalText("location"), machineIds: try row["machine_ids"].decode([String].self),
            publishAt: try row.date("publish_at"), expiresAt: try row.optionalDate("expires_at"),
            retractedAt: try row.optionalDate("retracted_at"), push: try row["push"].decode(Bool.self),
            quiet: try row["quiet"].decode(Bool.self), urgent: try row["urgent"].decode(Bool.self),
            createdAt: try row.date("created_at"))
    }
}

extension Alert {
    static let postgresColumns = "id, resident_id, kind, title, body, machine_id, use_id, dedupe_key, at, content"

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), residentId: try row.text("resident_id"), kind: try row.value("kind"),
            title: try row.text("title"), body: try row.text("body"), machineId: try row.optionalText("machine_id"),
            useId: try row.optionalText("use_id"), dedupeKey: try row.text("dedupe_key"), at: try row.date("at"),
            content: Alert.content(fromJSON: try row.optionalText("content")))
    }
}

extension ProblemReport {
    static let postgresColumns = "id, machine_id, resident_id, text, created_at, resolved_at, resolution"

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), machineId: try row.text("machine_id"), residentId: try row.text("resident_id"),
            text: try row.text("text"), createdAt: try row.date("created_at"), resolvedAt: try row.optionalDate("resolved_at"),
            resolution: try row.optionalText("resolution"))
    }
}

extension PushSubscriptionRecord {
    static let postgresColumns = """
        id, resident_id, endpoint, p256dh, auth, created_at, last_success_at, last_failure_at, last_failure_status,
        consecutive_failures, gone_at
        """

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), residentId: try row.text("resident_id"), endpoint: try row.text("endpoint"),
            p256dh: try row.text("p256dh"), auth: try row.text("auth"), createdAt: try row.date("created_at"),
            lastSuccessAt: try row.optionalDate("last_success_at"), lastFailureAt: try row.optionalDate("last_failure_at"),
            lastFailureStatus: try row.optionalInt("last_failure_status"),
            consecutiveFailures: try row.int("consecutive_failures"), goneAt: try row.optionalDate("gone_at"))
    }
}

extension PushOutboxEntry {
    static let postgresColumns = """
        id, subscription_id, resident_id, endpoint_origin, alert_id, payload, urgency, topic, created_at, expires_at, state,
        attempts, next_attempt_at, last_status, last_error, settled_at
        """

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.text("id"), subscriptionId: try row.optionalText("subscription_id"),
            residentId: try row.text("resident_id"), endpointOrigin: try row.text("endpoint_origin"),
            alertId: try row.optionalText("alert_id"), payload: try row.text("payload"), urgency: try row.value("urgency"),
            topic: try row.optionalText("topic"), createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
            state: try row.value("state"), attempts: try row.int("attempts"), nextAttemptAt: try row.date("next_attempt_at"),
            lastStatus: try row["last_status"].decode(Int?.self), lastError: try row.optionalText("last_error"),
            settledAt: try row.optionalDate("settled_at"))
    }
}

extension Event {
    init(postgres row: PostgresRandomAccessRow) throws {
        let topicText = try row.text("topic")
        guard let topic = Topic(topicText) else { throw UnknownValue(column: "topic", value: topicText) }
        self.init(
            seq: try row["seq"].decode(Int64.self), at: try row.date("at"), topic: topic, kind: try row.value("type"),
            payload: Data(try row.text("payload").utf8))
    }
}

extension Outage {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            machineId: try row.text("machine_id"), note: try row.optionalText("note"), startedAt: try row.date("started_at"),
            endedAt: try row.optionalDate("ended_at"))
    }
}
