import Foundation

/// The PostgreSQL schema as a list of versioned migrations, the counterpart of SQLite's
/// `Schema`. A migration that has shipped is never edited: change the schema by appending one.
///
/// Column names are snake_case; times are `timestamptz`; JSON the server sends as it is
/// stored (event payloads, preferences) is `text`, so its bytes stay exactly as written.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        (
            "v1: the dorm",
            """
            CREATE TABLE machines (
                id text PRIMARY KEY,
                kind text NOT NULL CHECK (kind IN ('washer', 'dryer', 'other')),
                label text NOT NULL,
                location text NOT NULL,
                cycle_minutes integer NOT NULL CHECK (cycle_minutes BETWEEN 1 AND 240),
                state text NOT NULL CHECK (state IN ('idle', 'in_use', 'broken')),
                state_note text,
                updated_at timestamptz NOT NULL,
                removed_at timestamptz
            );

            CREATE TABLE residents (
                id text PRIMARY KEY,
                name text NOT NULL,
                room text NOT NULL,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz,
                preferences text NOT NULL DEFAULT '{}'
            );

            CREATE TABLE enrollment_codes (
                code_hash text PRIMARY KEY,
                resident_id text NOT NULL REFERENCES residents(id),
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                redeemed_at timestamptz
            );

            CREATE TABLE sessions (
                token_hash text PRIMARY KEY,
                resident_id text NOT NULL REFERENCES residents(id),
                created_at timestamptz NOT NULL
            );
            CREATE INDEX sessions_by_resident ON sessions(resident_id);

            CREATE TABLE uses (
                id text PRIMARY KEY,
                machine_id text NOT NULL REFERENCES machines(id),
                resident_id text NOT NULL REFERENCES residents(id),
                started_at timestamptz NOT NULL,
                ends_at timestamptz NOT NULL,
                closed_at timestamptz,
                close_reason text CHECK (close_reason IN
                    ('collected', 'cancelled', 'auto_released', 'machine_broken', 'cleared')),
                CHECK ((closed_at IS NULL) = (close_reason IS NULL))
            );
            CREATE UNIQUE INDEX uses_one_open_per_machine ON uses(machine_id) WHERE closed_at IS NULL;
            CREATE INDEX uses_open_by_resident ON uses(resident_id) WHERE closed_at IS NULL;

            CREATE TABLE idempotency_keys (
                resident_id text NOT NULL REFERENCES residents(id),
                key text NOT NULL,
                request text NOT NULL,
                response text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (resident_id, key)
            );
            CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);

            CREATE TABLE notices (
                id text PRIMARY KEY,
                text text NOT NULL,
                severity text NOT NULL CHECK (severity IN ('info', 'warning', 'outage')),
                location text,
                machine_ids text[] NOT NULL DEFAULT '{}',
                publish_at timestamptz NOT NULL,
                expires_at timestamptz,
                retracted_at timestamptz,
                push boolean NOT NULL DEFAULT false,
                quiet boolean NOT NULL DEFAULT false,
                urgent boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL,
                announced_at timestamptz,
                expiry_announced_at timestamptz
            );

            CREATE TABLE alerts (
                id text PRIMARY KEY,
                resident_id text NOT NULL REFERENCES residents(id),
                kind text NOT NULL,
                title text NOT NULL,
                body text NOT NULL,
                machine_id text,
                use_id text,
                dedupe_key text NOT NULL UNIQUE,
                at timestamptz NOT NULL,
                acked_at timestamptz,
                push_queued_at timestamptz,
                push_not_before timestamptz
            );
            CREATE INDEX alerts_unrouted ON alerts(at) WHERE acked_at IS NULL AND push_queued_at IS NULL;

            CREATE TABLE pickup_requests (
                id text PRIMARY KEY,
                machine_id text NOT NULL REFERENCES machines(id),
                use_id text NOT NULL REFERENCES uses(id),
                requester_id text NOT NULL REFERENCES residents(id),
                created_at timestamptz NOT NULL
            );
            CREATE INDEX pickup_requests_by_requester ON pickup_requests(requester_id, machine_id, created_at);

            CREATE TABLE reports (
                id text PRIMARY KEY,
                machine_id text NOT NULL REFERENCES machines(id),
                resident_id text NOT NULL REFERENCES residents(id),
                text text NOT NULL,
                created_at timestamptz NOT NULL,
                resolved_at timestamptz,
                resolution text
            );

            -- By default, so that a dorm moved from SQLite keeps its sequence numbers.
            CREATE TABLE events (
                seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                topic text NOT NULL,
                type text NOT NULL,
                payload text NOT NULL
            );
            CREATE INDEX events_by_age ON events(at);

            CREATE TABLE settings (
                key text PRIMARY KEY,
                value text NOT NULL
            );

            CREATE TABLE push_subscriptions (
                id text PRIMARY KEY,
                resident_id text NOT NULL REFERENCES residents(id),
                endpoint text NOT NULL UNIQUE,
                p256dh text NOT NULL,
                auth text NOT NULL,
                created_at timestamptz NOT NULL
            );
            CREATE INDEX push_subscriptions_by_resident ON push_subscriptions(resident_id);

            CREATE TABLE push_outbox (
                id text PRIMARY KEY,
                subscription_id text REFERENCES push_subscriptions(id) ON DELETE SET NULL,
                resident_id text NOT NULL REFERENCES residents(id),
                endpoint_origin text NOT NULL,
                alert_id text,
                payload text NOT NULL,
                urgency text NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
                topic text,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'delivered', 'gone', 'failed', 'expired')),
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                lease_owner text,
                lease_until timestamptz,
                last_status integer,
                last_error text,
                settled_at timestamptz
            );
            CREATE INDEX push_outbox_due ON push_outbox(next_attempt_at) WHERE state = 'pending';
            CREATE INDEX push_outbox_by_resident ON push_outbox(resident_id, created_at);
            CREATE INDEX push_outbox_settled ON push_outbox(settled_at) WHERE state <> 'pending';

            CREATE TABLE machine_outages (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                machine_id text NOT NULL REFERENCES machines(id),
                note text,
                started_at timestamptz NOT NULL,
                ended_at timestamptz
            );
            CREATE UNIQUE INDEX machine_outages_one_open ON machine_outages(machine_id) WHERE ended_at IS NULL;
            """
        ),
        (
            "v2: presence",
            """
            CREATE TABLE instances (
                id text PRIMARY KEY,
                reported_at timestamptz NOT NULL
            );
            CREATE TABLE presence (
                instance_id text NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                resident_id text NOT NULL,
                PRIMARY KEY (resident_id, instance_id)
            );
            """
        ),
        (
            "v3: waitlist, holds, starts from labels, kiosks, session use",
            """
            ALTER TABLE machines ADD COLUMN held_for text;
            ALTER TABLE machines ADD COLUMN held_until timestamptz;
            ALTER TABLE uses ADD COLUMN started_from text;
            ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz;
            CREATE TABLE waitlist (
                id text PRIMARY KEY,
                resident_id text NOT NULL REFERENCES residents(id),
                kind text NOT NULL,
                location text,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            );
            CREATE UNIQUE INDEX waitlist_one_per_kind ON waitlist(resident_id, kind);
            CREATE INDEX waitlist_by_kind ON waitlist(kind, created_at);
            CREATE TABLE kiosks (
                id text PRIMARY KEY,
                name text NOT NULL,
                location text,
                token_hash text NOT NULL UNIQUE,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz
            );
            """
        ),
        (
            "v4: alert history, push health",
            """
            ALTER TABLE alerts ADD COLUMN read_at timestamptz;
            ALTER TABLE alerts ADD COLUMN live_sent_at timestamptz;
            ALTER TABLE alerts ADD COLUMN live_sockets integer NOT NULL DEFAULT 0;
            ALTER TABLE alerts ADD COLUMN held_reason text;
            ALTER TABLE alerts ADD COLUMN routed_as text CHECK (routed_as IN ('pushed', 'dropped'));
            ALTER TABLE alerts ADD COLUMN route_reason text;
            CREATE INDEX alerts_by_resident ON alerts(resident_id, at);
            CREATE INDEX push_outbox_by_alert ON push_outbox(alert_id);
            ALTER TABLE push_subscriptions ADD COLUMN last_success_at timestamptz;
            ALTER TABLE push_subscriptions ADD COLUMN last_failure_at timestamptz;
            ALTER TABLE push_subscriptions ADD COLUMN last_failure_status integer;
            ALTER TABLE push_subscriptions ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0;
            ALTER TABLE push_subscriptions ADD COLUMN gone_at timestamptz;
            """
        ),
        (
            "v5: staff, crowd-confirmed reports",
            """
            ALTER TABLE residents ADD COLUMN staff boolean NOT NULL DEFAULT false;
            ALTER TABLE machines ADD COLUMN reported_by integer;
            CREATE INDEX reports_open_by_machine ON reports(machine_id) WHERE resolved_at IS NULL;
            """
        ),
        (
            "v6: languages",
            """
            ALTER TABLE alerts ADD COLUMN content text;
            ALTER TABLE notices ADD COLUMN texts text NOT NULL DEFAULT '{}';
            ALTER TABLE push_subscriptions ADD COLUMN language text;
            """
        ),
    ]

    /// The statements of a migration: its text split at semicolons that end a line.
    static func statements(of sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }
}
