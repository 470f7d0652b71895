import Foundation

/// Everything Washboard keeps, behind one protocol so that a PostgreSQL backend can be
/// added for several server instances without touching the callers.
///
/// Every method that changes something a client shows appends its event in the same
/// transaction, and every `at now:` is the moment the change is recorded under.
public protocol DeviceStore: Sendable {
    /// Told the head `seq` after every commit this process makes.
    var commits: CommitNotifier { get }

    // MARK: Board and machines
    func board(at now: Date) async throws -> Board
    func machine(_ id: String) async throws -> MachineStatus
    func machines(includingRemoved: Bool) async throws -> [MachineStatus]
    func addMachine(_ machine: Machine) async throws -> MachineStatus
    func removeMachine(_ id: String, at now: Date) async throws
    func apply(_ command: MachineCommand, toMachine id: String, at now: Date) async throws -> MachineStatus

    // MARK: Uses
    func startUse(_ request: StartUseRequest, at now: Date) async throws -> StartedUse
    func collect(useId: String, by residentId: String, at now: Date) async throws -> Use
    func cancel(useId: String, by residentId: String, at now: Date) async throws -> Use
    func openUses(of residentId: String) async throws -> [Use]
    func reports(openOnly: Bool) async throws -> [ProblemReport]
    func resolveReport(_ id: String, resolution: String?, at now: Date) async throws -> ProblemReport
    func requestPickup(machineId: String, by residentId: String, at now: Date) async throws -> PickupRequest
    func reportProblem(machineId: String, by residentId: String, text: String, at now: Date) async throws
        -> ProblemReport

    // MARK: Residents and sessions
    func addResident(name: String, room: String, codeValidFor: TimeInterval, at now: Date) async throws
        -> (Resident, EnrollmentCode)
    func issueEnrollmentCode(residentId: String, validFor: TimeInterval, at now: Date) async throws -> EnrollmentCode
    func residents() async throws -> [Resident]
    func resident(_ id: String) async throws -> Resident
    func revokeResident(_ id: String, at now: Date) async throws -> Resident
    /// Redeems a one-time code; returns the resident and a new bearer token (stored only hashed).
    func redeemEnrollmentCode(_ code: String, at now: Date) async throws -> (Resident, token: String)
    /// The resident a bearer token belongs to, or nil for an unknown or revoked one.
    func resident(forToken token: String) async throws -> Resident?
    func endSession(token: String) async throws
    func preferences(of residentId: String) async throws -> Preferences
    func setPreferences(_ preferences: Preferences, of residentId: String) async throws -> Preferences

    // MARK: Notices
    func postNotice(_ notice: Notice, at now: Date) async throws -> Notice
    func notices(includingEnded: Bool, at now: Date) async throws -> [Notice]
    func retractNotice(_ id: String, at now: Date) async throws -> Notice

    // MARK: Event log
    func events(after seq: Int64, limit: Int) async throws -> [Event]
    func headSeq() async throws -> Int64
    /// The oldest `seq` still in the log, or nil when the log is empty.
    func oldestRetainedSeq() async throws -> Int64?
    /// Deletes events older than `cutoff`, keeping the newest one so the head `seq` survives.
    /// - Returns: how many were deleted.
    func pruneEvents(olderThan cutoff: Date) async throws -> Int

    // MARK: Reconciler
    func reconcileUses(at now: Date, policy: ReconcilerPolicy, dryRun: Bool) async throws -> ReconcileSummary
    func reconcileNotices(at now: Date, dryRun: Bool) async throws -> (published: Int, expired: Int)

    // MARK: Alert routing
    func acknowledgeAlert(_ id: String, residentId: String, at now: Date) async throws -> Bool
    @discardableResult
    func routeAlertsToPush(createdBefore cutoff: Date, ids: [String]?, timeZone: TimeZone, at now: Date) async throws
        -> [Alert]

    // MARK: Web Push
    func addPushSubscription(residentId: String, endpoint: String, p256dh: String, auth: String, at now: Date)
        async throws -> PushSubscriptionRecord
    func removePushSubscription(endpoint: String, of residentId: String, at now: Date) async throws -> Bool
    func pushSubscriptions(of residentId: String) async throws -> [PushSubscriptionRecord]
    func removeAllPushSubscriptions(reason: String, at now: Date) async throws -> Int
    func enqueuePush(_ draft: PushDraft, at now: Date) async throws -> [PushOutboxEntry]
    func claimDuePushes(owner: String, leaseFor: TimeInterval, limit: Int, ids: [String]?, at now: Date) async throws
        -> [ClaimedPush]
    /// Records outcomes in one transaction; returns the ids whose lease `owner` had lost, left unchanged.
    func settlePushes(_ outcomes: [PushOutcome], owner: String) async throws -> [String]
    func pushOutbox(state: PushOutboxEntry.State?, residentId: String?, limit: Int) async throws -> [PushOutboxEntry]
    func pushOutboxEntries(ids: [String]) async throws -> [PushOutboxEntry]
    func nextPushDue() async throws -> Date?
    func pushOutboxCounts() async throws -> [PushOutboxEntry.State: Int]
    /// Deletes settled rows settled before `cutoff`; returns how many.
    func prunePushOutbox(settledBefore cutoff: Date) async throws -> Int

    // MARK: Settings
    func setting(_ key: String) async throws -> String?
    func setSetting(_ key: String, to value: String) async throws
    func removeSetting(_ key: String) async throws
    /// Stores `value` only if `key` has none yet; false when it had one.
    func addSetting(_ key: String, value: String) async throws -> Bool
}

extension DeviceStore {
    /// Records one outcome; false when `owner` had lost the row's lease.
    @discardableResult
    public func settlePush(_ id: String, owner: String, _ settlement: PushSettlement, at now: Date) async throws -> Bool {
        try await settlePushes([PushOutcome(id: id, settlement: settlement, at: now)], owner: owner).isEmpty
    }
}

/// A resident's request to start a machine.
public struct StartUseRequest: Sendable, Hashable {
    public var machineId: String
    public var residentId: String
    /// The cycle length; nil takes the machine's default.
    public var minutes: Int?
    /// A client-chosen key: the same key from the same resident returns the first response.
    public var idempotencyKey: String?

    public init(machineId: String, residentId: String, minutes: Int? = nil, idempotencyKey: String? = nil) {
        self.machineId = machineId
        self.residentId = residentId
        self.minutes = minutes
        self.idempotencyKey = idempotencyKey
    }
}

/// The outcome of ``DeviceStore/startUse(_:at:)``.
public struct StartedUse: Sendable, Hashable {
    /// The use as it was when it started (also on a replay).
    public var use: Use
    /// True when an earlier request with the same idempotency key created the use.
    public var replayed: Bool
}

/// A waiting resident's request that the owner of a finished cycle come and collect.
public struct PickupRequest: Codable, Sendable, Hashable {
    public var id: String
    public var machineId: String
    public var useId: String
    public var requesterId: String
    public var createdAt: Date

    /// One request per requester and machine in this many seconds.
    public static let minimumInterval: TimeInterval = 10 * 60
}
