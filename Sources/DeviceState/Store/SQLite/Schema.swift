import GRDB

/// The database schema as a list of versioned migrations.
///
/// A migration that has shipped is never edited: change the schema by appending one.
/// Names are strings, and migrations use SQL rather than app types, so that later code
/// changes cannot change what an old migration does.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: machines, uses, residents, notices, alerts, events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE machines (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('washer', 'dryer', 'other')),
                        label TEXT NOT NULL,
                        location TEXT NOT NULL,
                        cycleMinutes INTEGER NOT NULL CHECK (cycleMinutes BETWEEN 1 AND 240),
                        state TEXT NOT NULL CHECK (state IN ('idle', 'in_use', 'broken')),
                        stateNote TEXT,
                        updatedAt DATETIME NOT NULL,
                        removedAt DATETIME
                    );

                    CREATE TABLE residents (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        room TEXT NOT NULL,
                        createdAt DATETIME NOT NULL,
                        revokedAt DATETIME,
                        preferences TEXT NOT NULL DEFAULT '{}'
                    );

                    CREATE TABLE enrollment_codes (
                        codeHash TEXT PRIMARY KEY NOT NULL,
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        createdAt DATETIME NOT NULL,
                        expiresAt DATETIME NOT NULL,
                        redeemedAt DATETIME
                    );

                    CREATE TABLE sessions (
                        tokenHash TEXT PRIMARY KEY NOT NULL,
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        createdAt DATETIME NOT NULL
                    );
                    CREATE INDEX sessions_by_resident ON sessions(residentId);

                    CREATE TABLE uses (
                        id TEXT PRIMARY KEY NOT NULL,
                        machineId TEXT NOT NULL REFERENCES machines(id),
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        startedAt DATETIME NOT NULL,
                        endsAt DATETIME NOT NULL,
                        closedAt DATETIME,
                        closeReason TEXT CHECK (closeReason IN
                            ('collected', 'cancelled', 'auto_released', 'machine_broken', 'cleared')),
                        CHECK ((closedAt IS NULL) = (closeReason IS NULL))
                    );
                    -- The last line of defence against two open uses on one machine.
                    CREATE UNIQUE INDEX uses_one_open_per_machine ON uses(machineId) WHERE closedAt IS NULL;
                    CREATE INDEX uses_open_by_resident ON uses(residentId) WHERE closedAt IS NULL;

                    CREATE TABLE idempotency_keys (
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        key TEXT NOT NULL,
                        request TEXT NOT NULL,
                        response BLOB NOT NULL,
                        createdAt DATETIME NOT NULL,
                        PRIMARY KEY (residentId, key)
                    );

                    CREATE TABLE notices (
                        id TEXT PRIMARY KEY NOT NULL,
                        text TEXT NOT NULL,
                        severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'outage')),
                        location TEXT,
                        machineIds TEXT NOT NULL DEFAULT '[]',
                        publishAt DATETIME NOT NULL,
                        expiresAt DATETIME,
                        retractedAt DATETIME,
                        push BOOLEAN NOT NULL DEFAULT 0,
                        quiet BOOLEAN NOT NULL DEFAULT 0,
                        urgent BOOLEAN NOT NULL DEFAULT 0,
                        createdAt DATETIME NOT NULL
                    );

                    CREATE TABLE alerts (
                        id TEXT PRIMARY KEY NOT NULL,
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        kind TEXT NOT NULL,
                        title TEXT NOT NULL,
                        body TEXT NOT NULL,
                        machineId TEXT,
                        useId TEXT,
                        dedupeKey TEXT NOT NULL UNIQUE,
                        at DATETIME NOT NULL
                    );

                    CREATE TABLE pickup_requests (
                        id TEXT PRIMARY KEY NOT NULL,
                        machineId TEXT NOT NULL REFERENCES machines(id),
                        useId TEXT NOT NULL REFERENCES uses(id),
                        requesterId TEXT NOT NULL REFERENCES residents(id),
                        createdAt DATETIME NOT NULL
                    );
                    CREATE INDEX pickup_requests_by_requester ON pickup_requests(requesterId, machineId, createdAt);

                    CREATE TABLE reports (
                        id TEXT PRIMARY KEY NOT NULL,
                        machineId TEXT NOT NULL REFERENCES machines(id),
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        text TEXT NOT NULL,
                        createdAt DATETIME NOT NULL,
                        resolvedAt DATETIME,
                        resolution TEXT
                    );

                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        at DATETIME NOT NULL,
                        topic TEXT NOT NULL,
                        type TEXT NOT NULL,
                        payload TEXT NOT NULL
                    );

                    CREATE TABLE settings (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2: push subscriptions and outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE push_subscriptions (
                        id TEXT PRIMARY KEY NOT NULL,
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        endpoint TEXT NOT NULL UNIQUE,
                        p256dh TEXT NOT NULL,
                        auth TEXT NOT NULL,
                        createdAt DATETIME NOT NULL
                    );
                    CREATE INDEX push_subscriptions_by_resident ON push_subscriptions(residentId);

                    -- Rows outlive their subscription (subscriptionId becomes NULL) so that
                    -- what happened to a message stays visible to `admin push list`.
                    CREATE TABLE push_outbox (
                        id TEXT PRIMARY KEY NOT NULL,
                        subscriptionId TEXT REFERENCES push_subscriptions(id) ON DELETE SET NULL,
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        endpointOrigin TEXT NOT NULL,
                        alertId TEXT,
                        payload TEXT NOT NULL,
                        urgency TEXT NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
                        topic TEXT,
                        createdAt DATETIME NOT NULL,
                        expiresAt DATETIME NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'gone', 'failed', 'expired')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        nextAttemptAt DATETIME NOT NULL,
                        leaseOwner TEXT,
                        leaseUntil DATETIME,
                        lastStatus INTEGER,
                        lastError TEXT,
                        settledAt DATETIME
                    );
                    CREATE INDEX push_outbox_due ON push_outbox(nextAttemptAt) WHERE state = 'pending';
                    CREATE INDEX push_outbox_by_resident ON push_outbox(residentId, createdAt);
                    """)
        }
        migrator.registerMigration("v3: alert routing") { db in
            try db.execute(
                sql: """
                    ALTER TABLE alerts ADD COLUMN ackedAt DATETIME;
                    ALTER TABLE alerts ADD COLUMN pushQueuedAt DATETIME;
                    -- Alerts from before routing existed count as routed: no push for old news.
                    UPDATE alerts SET pushQueuedAt = at;
                    CREATE INDEX alerts_unrouted ON alerts(at) WHERE ackedAt IS NULL AND pushQueuedAt IS NULL;
                    """)
        }
        migrator.registerMigration("v4: notice announcements, held pushes") { db in
            try db.execute(
                sql: """
                    ALTER TABLE notices ADD COLUMN announcedAt DATETIME;
                    ALTER TABLE notices ADD COLUMN expiryAnnouncedAt DATETIME;
                    -- Notices live when posted were announced then.
                    UPDATE notices SET announcedAt = createdAt WHERE publishAt <= createdAt;
                    ALTER TABLE alerts ADD COLUMN pushNotBefore DATETIME;
                    """)
        }
        migrator.registerMigration("v5: machine outages") { db in
            try db.execute(
                sql: """
                    -- One row per time a machine was out of order, kept for statistics. A row
                    -- ends when the machine is repaired or removed.
                    CREATE TABLE machine_outages (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        machineId TEXT NOT NULL REFERENCES machines(id),
                        note TEXT,
                        startedAt DATETIME NOT NULL,
                        endedAt DATETIME
                    );
                    CREATE UNIQUE INDEX machine_outages_one_open ON machine_outages(machineId) WHERE endedAt IS NULL;
                    -- Machines broken before outages were recorded: the outage began at their last change.
                    INSERT INTO machine_outages (machineId, note, startedAt)
                        SELECT id, stateNote, updatedAt FROM machines WHERE state = 'broken' AND removedAt IS NULL;
                    """)
        }
        migrator.registerMigration("v6: presence") { db in
            try db.execute(
                sql: """
                    -- Which residents have the app open on which server instance, and when
                    -- each instance last said so.
                    CREATE TABLE instances (
                        id TEXT PRIMARY KEY NOT NULL,
                        reportedAt DATETIME NOT NULL
                    );
                    CREATE TABLE presence (
                        instanceId TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                        residentId TEXT NOT NULL,
                        PRIMARY KEY (residentId, instanceId)
                    );
                    """)
        }
        migrator.registerMigration("v7: waitlist, holds, starts from labels, kiosks, session use") { db in
            try db.execute(
                sql: """
                    -- A freed machine kept for the waiter told about it, until heldUntil.
                    ALTER TABLE machines ADD COLUMN heldFor TEXT;
                    ALTER TABLE machines ADD COLUMN heldUntil DATETIME;
                    -- When a session was last used (written at most hourly); null: since createdAt.
                    ALTER TABLE sessions ADD COLUMN lastSeenAt DATETIME;
                    -- 'label' for a start made from the machine's QR code or NFC sticker.
                    ALTER TABLE uses ADD COLUMN startedFrom TEXT;
                    -- Residents waiting for a machine of a kind; served oldest first.
                    CREATE TABLE waitlist (
                        id TEXT PRIMARY KEY NOT NULL,
                        residentId TEXT NOT NULL REFERENCES residents(id),
                        kind TEXT NOT NULL,
                        location TEXT,
                        createdAt DATETIME NOT NULL,
                        expiresAt DATETIME NOT NULL
                    );
                    CREATE UNIQUE INDEX waitlist_one_per_kind ON waitlist(residentId, kind);
                    CREATE INDEX waitlist_by_kind ON waitlist(kind, createdAt);
                    -- Laundry room screens: read-only boards. Tokens stored hashed.
                    CREATE TABLE kiosks (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        location TEXT,
                        tokenHash TEXT NOT NULL UNIQUE,
                        createdAt DATETIME NOT NULL,
                        revokedAt DATETIME
                    );
                    """)
        }
        migrator.registerMigration("v8: alert history, push health") { db in
            try db.execute(
                sql: """
                    -- The ledger of each alert (AlertLedger): read on any device, handed to open
                    -- sockets, held by the router and why, pushed or dropped and why.
                    ALTER TABLE alerts ADD COLUMN readAt DATETIME;
                    ALTER TABLE alerts ADD COLUMN liveSentAt DATETIME;
                    ALTER TABLE alerts ADD COLUMN liveSockets INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE alerts ADD COLUMN heldReason TEXT;
                    ALTER TABLE alerts ADD COLUMN routedAs TEXT CHECK (routedAs IN ('pushed', 'dropped'));
                    ALTER TABLE alerts ADD COLUMN routeReason TEXT;
                    CREATE INDEX alerts_by_resident ON alerts(residentId, at);
                    CREATE INDEX push_outbox_by_alert ON push_outbox(alertId);
                    -- Each device's health (PushSubscriptionRecord), and a tombstone for one
                    -- its push service no longer knows.
                    ALTER TABLE push_subscriptions ADD COLUMN lastSuccessAt DATETIME;
                    ALTER TABLE push_subscriptions ADD COLUMN lastFailureAt DATETIME;
                    ALTER TABLE push_subscriptions ADD COLUMN lastFailureStatus INTEGER;
                    ALTER TABLE push_subscriptions ADD COLUMN consecutiveFailures INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE push_subscriptions ADD COLUMN goneAt DATETIME;
                    """)
        }
        migrator.registerMigration("v9: staff, crowd-confirmed reports") { db in
            try db.execute(
                sql: """
                    -- Staff get report_confirmed alerts and see open reports (CrowdReports).
                    ALTER TABLE residents ADD COLUMN staff BOOLEAN NOT NULL DEFAULT 0;
                    -- How many residents reported the machine, once the crowd confirmed it.
                    ALTER TABLE machines ADD COLUMN reportedBy INTEGER;
                    CREATE INDEX reports_open_by_machine ON reports(machineId) WHERE resolvedAt IS NULL;
                    """)
        }
        migrator.registerMigration("v10: languages") { db in
            try db.execute(
                sql: """
                    -- An alert's sentences by key and parameters (AlertContent), rendered per reader.
                    ALTER TABLE alerts ADD COLUMN content TEXT;
                    -- A notice's text per language, {"ko": …, "en": …}.
                    ALTER TABLE notices ADD COLUMN texts TEXT NOT NULL DEFAULT '{}';
                    -- The language the device's app spoke when it subscribed.
                    ALTER TABLE push_subscriptions ADD COLUMN language TEXT;
                    """)
        }
        return migrator
    }
}
