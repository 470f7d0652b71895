import Foundation
import PostgresNIO

/// A statement on the path of every start and collect, or of every event a tailer reads. Each
/// connection prepares it once under its type's name; after that a request only binds and
/// executes it, and PostgreSQL neither parses nor (once its plan cache settles) plans it again.
/// On a dorm's write path that was a sixth of the database's CPU (BENCHMARKS.md).
///
/// The SQL is written with `$1…` placeholders, in the order of ``bindings``.
protocol PreparedStatement: PostgresPreparedStatement where Row == PostgresRow {
    var bindings: PostgresBindings { get }
}

extension PreparedStatement {
    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresBindings {
    /// The values in order, `nil` as NULL.
    init<each Value: PostgresNonThrowingEncodable>(_ values: repeat (each Value)?) {
        self.init()
        repeat append(each values)
    }

    private mutating func append<Value: PostgresNonThrowingEncodable>(_ value: Value?) {
        if let value { append(value, context: .default) } else { appendNull() }
    }
}

/// The prepared statements, by what they do.
enum Prepared {
    struct LockWriters: PreparedStatement {
        static let sql = "SELECT pg_advisory_xact_lock(\(PostgresStore.writerLock))"
        let bindings = PostgresBindings()
    }

    struct MachineStatus: PreparedStatement {
        static let sql = """
            SELECT m.id, m.kind, m.label, m.location, m.cycle_minutes, m.state, m.state_note, m.updated_at, m.held_for, m.held_until,
                m.reported_by,
                u.id AS use_id, u.machine_id AS use_machine_id, u.resident_id AS use_resident_id,
                u.started_at AS use_started_at, u.ends_at AS use_ends_at, u.closed_at AS use_closed_at,
                u.close_reason AS use_close_reason, u.started_from AS use_started_from
            FROM machines m LEFT JOIN uses u ON u.machine_id = m.id AND u.closed_at IS NULL
            WHERE m.id = $1 AND m.removed_at IS NULL
            """
        let bindings: PostgresBindings
        init(id: String) { bindings = PostgresBindings(id) }
    }

    struct UseByID: PreparedStatement {
        static let sql = "SELECT \(Use.postgresColumns) FROM uses WHERE id = $1"
        let bindings: PostgresBindings
        init(id: String) { bindings = PostgresBindings(id) }
    }

    struct InsertUse: PreparedStatement {
        static let sql = """
            INSERT INTO uses (id, machine_id, resident_id, started_at, ends_at, started_from) VALUES ($1, $2, $3, $4, $5, $6)
            """
        let bindings: PostgresBindings
        init(_ use: Use) {
            bindings = PostgresBindings(
                use.id, use.machineId, use.residentId, use.startedAt, use.endsAt, use.startedFrom?.rawValue)
        }
    }

    struct CloseUse: PreparedStatement {
        static let sql = "UPDATE uses SET closed_at = $1, close_reason = $2 WHERE id = $3"
        let bindings: PostgresBindings
        init(id: String, at date: Date, reason: Use.CloseReason) { bindings = PostgresBindings(date, reason.rawValue, id) }
    }

    /// Writes the fields a transition changes and appends the machine's event with its
    /// notification: the last statement of every start, collect and state change.
    struct ChangeMachine: PreparedStatement {
        static let sql = """
            WITH changed AS (
                UPDATE machines SET state = $1, state_note = $2, updated_at = $3, held_for = $6, held_until = $7, reported_by = $8::bigint
                WHERE id = $4),
            appended AS (
                INSERT INTO events (at, topic, type, payload) VALUES ($3, '\(Event.Topic.board)', '\(Event.Kind.machine.rawValue)', $5)
                RETURNING seq)
            SELECT seq, pg_notify('\(PostgresStore.eventChannel)', seq::text) FROM appended
            """
        let bindings: PostgresBindings
        init(_ machine: Machine, event payload: String) {
            bindings = PostgresBindings(
                machine.state.rawValue, machine.stateNote, machine.updatedAt, machine.id, payload, machine.hold?.residentId,
                machine.hold?.until, machine.reportedBy)
        }
    }

    /// Appends an event and, in the same statement, its notification, delivered at commit.
    struct AppendEvent: PreparedStatement {
        static let sql = """
            WITH appended AS (INSERT INTO events (at, topic, type, payload) VALUES ($1, $2, $3, $4) RETURNING seq)
            SELECT seq, pg_notify('\(PostgresStore.eventChannel)', seq::text) FROM appended
            """
        let bindings: PostgresBindings
        init(at date: Date, topic: Event.Topic, kind: Event.Kind, payload: String) {
            bindings = PostgresBindings(date, topic.description, kind.rawValue, payload)
        }
    }

    struct EventsAfter: PreparedStatement {
        static let sql = "SELECT seq, at, topic, type, payload FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
        let bindings: PostgresBindings
        init(seq: Int64, limit: Int) { bindings = PostgresBindings(seq, limit) }
    }

    struct ResidentBySession: PreparedStatement {
        static let sql = """
            SELECT residents.id, name, room, residents.created_at, revoked_at, staff,
                coalesce(sessions.last_seen_at, sessions.created_at) AS seen FROM sessions
            JOIN residents ON residents.id = sessions.resident_id
            WHERE sessions.token_hash = $1 AND residents.revoked_at IS NULL
            """
        let bindings: PostgresBindings
        init(tokenHash: String) { bindings = PostgresBindings(tokenHash) }
    }
}
