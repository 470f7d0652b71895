import Foundation

/// Moving a whole dorm from one database to another (`washboard admin migrate`): every row
/// of every table, as it is stored, with its sequence numbers.
public protocol DormTransfer: Sendable {
    /// Every row of the dorm, read in one snapshot. Presence is left out: it is the running
    /// servers', and they report it again.
    func exportDorm() async throws -> DormSnapshot
    /// Writes `snapshot` into this database in one transaction.
    /// - Throws: ``DormSnapshot/TargetNotEmpty`` when the database holds any row already.
    func importDorm(_ snapshot: DormSnapshot) async throws
    /// How many rows each table holds, by the table names of ``DormSnapshot/tables``.
    func rowCounts() async throws -> [String: Int]
}

/// Every row of a dorm, table by table.
public struct DormSnapshot: Sendable {
    /// The tables, in an order that respects their references.
    public static let tables = [
        "machines", "residents", "enrollment_codes", "sessions", "uses", "idempotency_keys", "notices", "alerts",
        "pickup_requests", "reports", "events", "settings", "push_subscriptions", "push_outbox", "machine_outages",
        "waitlist", "kiosks",
    ]

    public struct MachineRow: Sendable {
        public var machine: Machine
        public var removedAt: Date?
    }

    public struct ResidentRow: Sendable {
        public var resident: Resident
        /// As stored: JSON.
        public var preferences: String
    }

    public struct EnrollmentCodeRow: Sendable {
        public var codeHash: String
        public var residentId: String
        public var createdAt: Date
        public var expiresAt: Date
        public var redeemedAt: Date?
    }

    public struct SessionRow: Sendable {
        public var tokenHash: String
        public var residentId: String
        public var createdAt: Date
        public var lastSeenAt: Date?
    }

    public struct IdempotencyKeyRow: Sendable {
        public var residentId: String
        public var key: String
        public var request: String
        /// The first answer, JSON.
        public var response: String
        public var createdAt: Date
    }

    public struct NoticeRow: Sendable {
        public var notice: Notice
        public var announcedAt: Date?
        public var expiryAnnouncedAt: Date?
    }

    public struct AlertRow: Sendable {
        public var alert: Alert
        public var ackedAt: Date?
        public var pushQueuedAt: Date?
        public var pushNotBefore: Date?
        /// The ledger's own columns, as stored.
        public var readAt: Date?
        public var liveSentAt: Date?
        public var liveSockets: Int
        public var heldReason: String?
        public var routedAs: String?
        public var routeReason: String?
    }

    public struct PushOutboxRow: Sendable {
        public var entry: PushOutboxEntry
        public var leaseOwner: String?
        public var leaseUntil: Date?
    }

    public struct OutageRow: Sendable {
        public var id: Int64
        public var outage: Outage
    }

    public var machines: [MachineRow] = []
    public var residents: [ResidentRow] = []
    public var enrollmentCodes: [EnrollmentCodeRow] = []
    public var sessions: [SessionRow] = []
    public var uses: [Use] = []
    public var idempotencyKeys: [IdempotencyKeyRow] = []
    public var notices: [NoticeRow] = []
    public var alerts: [AlertRow] = []
    public var pickupRequests: [PickupRequest] = []
    public var reports: [ProblemReport] = []
    public var events: [Event] = []
    public var settings: [String: String] = [:]
    public var pushSubscriptions: [PushSubscriptionRecord] = []
    public var pushOutbox: [PushOutboxRow] = []
    public var outages: [OutageRow] = []
    public var waitlist: [WaitlistEntry] = []
    public var kiosks: [KioskRow] = []

    public struct KioskRow: Sendable {
        public var kiosk: Kiosk
        public var tokenHash: String
    }

    public init() {}

    /// How many rows each table has.
    public var rowCounts: [String: Int] {
        [
            "machines": machines.count, "residents": residents.count, "enrollment_codes": enrollmentCodes.count,
            "sessions": sessions.count, "uses": uses.count, "idempotency_keys": idempotencyKeys.count,
            "notices": notices.count, "alerts": alerts.count, "pickup_requests": pickupRequests.count,
            "reports": reports.count, "events": events.count, "settings": settings.count,
            "push_subscriptions": pushSubscriptions.count, "push_outbox": pushOutbox.count, "machine_outages": outages.count,
            "waitlist": waitlist.count, "kiosks": kiosks.count,
        ]
    }

    /// The target of an import already holds rows.
    public struct TargetNotEmpty: Error, CustomStringConvertible {
        public var counts: [String: Int]
        public var description: String {
            let held = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            return "the target database is not empty (\(held.joined(separator: ", "))); give an empty one"
        }
    }
}
