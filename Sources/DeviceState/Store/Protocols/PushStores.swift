import Foundation

/// Residents' browsers that receive Web Push.
public protocol PushSubscriptionStore: Sendable {
    /// Stores a validated subscription. The same endpoint again replaces the stored keys and
    /// owner: a browser that re-subscribes, or a shared device another resident signed in on.
    /// Stores a device's subscription, or refreshes the one at `endpoint`. `language` is the
    /// one its app spoke, for pushes to a resident who chose none (``Preferences/language``).
    func addPushSubscription(
        residentId: String, endpoint: String, p256dh: String, auth: String, language: Language?, at now: Date
    ) async throws -> PushSubscriptionRecord
    /// Removes the resident's subscription at `endpoint`; false when there was none.
    func removePushSubscription(endpoint: String, of residentId: String, at now: Date) async throws -> Bool
    func pushSubscriptions(of residentId: String) async throws -> [PushSubscriptionRecord]
    /// Deletes every subscription, settling their pending messages as gone with `reason`.
    /// - Returns: how many there were.
    func removeAllPushSubscriptions(reason: Message, at now: Date) async throws -> Int
}

/// The push outbox: every push message is a row, written before anything is sent, leased
/// to one worker at a time, and settled with its outcome.
public protocol PushOutbox: Sendable {
    /// Queues `draft` once for each subscription of its resident; none when they have no subscription.
    func enqueuePush(_ draft: PushDraft, at now: Date) async throws -> [PushOutboxEntry]
    /// Leases up to `limit` due messages to `owner` for `leaseFor` seconds, oldest due first;
    /// settles pending rows past their time to live as expired on the way. Two workers never
    /// hold the same row while a lease runs.
    /// - Parameter ids: when given, only these rows (`admin push test` sends only its own).
    func claimDuePushes(owner: String, leaseFor: TimeInterval, limit: Int, ids: [String]?, at now: Date) async throws
        -> [ClaimedPush]
    /// Records outcomes in one transaction; returns the ids whose lease `owner` had lost, left unchanged.
    func settlePushes(_ outcomes: [PushOutcome], owner: String) async throws -> [String]
    /// The newest rows first, optionally only in one state or of one resident.
    func pushOutbox(state: PushOutboxEntry.State?, residentId: String?, limit: Int) async throws -> [PushOutboxEntry]
    func pushOutboxEntries(ids: [String]) async throws -> [PushOutboxEntry]
    /// When the next pending row falls due, for a worker deciding how long to sleep.
    func nextPushDue() async throws -> Date?
    /// How many rows are in each state.
    func pushOutboxCounts() async throws -> [PushOutboxEntry.State: Int]
}

extension PushOutbox {
    /// Records one outcome; false when `owner` had lost the row's lease.
    @discardableResult
    public func settlePush(_ id: String, owner: String, _ settlement: PushSettlement, at now: Date) async throws -> Bool {
        try await settlePushes([PushOutcome(id: id, settlement: settlement, at: now)], owner: owner).isEmpty
    }
}

extension PushSubscriptionStore {
    public func addPushSubscription(residentId: String, endpoint: String, p256dh: String, auth: String, at now: Date)
        async throws -> PushSubscriptionRecord
    {
        try await addPushSubscription(
            residentId: residentId, endpoint: endpoint, p256dh: p256dh, auth: auth, language: nil, at: now)
    }
}
