import DeviceState
import Foundation
import Logging
import Metrics
import Synchronization

/// The outbox worker: leases due messages, sends them and records each outcome.
///
/// Several workers may share one database (the server's, `washboard reconcile`'s, an
/// admin's `push test`): the lease guarantees that a row is sent by one at a time. A row
/// is sent again only after a timeout or a crash between sending and recording; the
/// message's `Topic` lets the push service replace such a duplicate, and the service
/// worker's notification `tag` collapses it on the device.
public final class PushDelivery: Sendable {
    let store: any PushOutbox & SettingsStore
    let sender: PushSender
    /// Unique per worker; a lease names it.
    public let owner: String
    public let batchSize: Int
    let concurrency: Int
    let backoff: PushBackoff
    let logger: Logger
    let metrics = PushMetrics()
    private let signer = Mutex<VAPIDSigner?>(nil)

    /// What happened to one row in a pass.
    public struct Report: Sendable {
        public var entry: PushOutboxEntry
        public var attempt: PushAttempt
    }

    public init(
        store: any PushOutbox & SettingsStore, sender: PushSender, batchSize: Int = 128, concurrency: Int = 32,
        backoff: PushBackoff = PushBackoff(), logger: Logger = Logger(label: "washboard.push")
    ) {
        self.store = store
        self.sender = sender
        self.owner =
            "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.backoff = backoff
        self.logger = logger
    }

    /// A lease outlasts the longest request, so a slow answer cannot overlap another worker's retry.
    var leaseTime: TimeInterval { Double(sender.totalTimeout.nanoseconds) / 1e9 + 30 }

    /// One pass: leases up to a batch of due rows and sends them, `concurrency` at a time.
    ///
    /// Outcomes are recorded in groups of up to `concurrency`, one transaction (one fsync)
    /// per group rather than per message; a crash loses at most the group being recorded,
    /// whose rows are sent again after their lease.
    /// - Parameter ids: only these rows (see ``PushOutbox/claimDuePushes(owner:leaseFor:limit:ids:at:)``).
    /// - Returns: a report per row attempted; empty when nothing was due or push is not set up.
    public func deliverDue(ids: [String]? = nil) async throws -> [Report] {
        guard let signer = try await currentSigner() else { return [] }
        let claimed = try await store.claimDuePushes(owner: owner, leaseFor: leaseTime, limit: batchSize, ids: ids, at: Date())
        guard !claimed.isEmpty else { return [] }
        return try await withThrowingTaskGroup(of: Attempted.self) { group in
            var reports: [Report] = []
            reports.reserveCapacity(claimed.count)
            var unrecorded: [Attempted] = []
            var queue = claimed.makeIterator()
            for _ in 0..<concurrency {
                guard let push = queue.next() else { break }
                group.addTask { await self.send(push, signer: signer) }
            }
            while let attempted = try await group.next() {
                unrecorded.append(attempted)
                if let push = queue.next() { group.addTask { await self.send(push, signer: signer) } }
                if unrecorded.count >= concurrency || reports.count + unrecorded.count == claimed.count {
                    reports += try await record(unrecorded)
                    unrecorded.removeAll(keepingCapacity: true)
                }
            }
            return reports
        }
    }

    /// Delivers until cancelled: a pass, then a pause until the next row falls due, at most `pollInterval`.
    ///
    /// Cancellation waits for the pass in flight (at most one request timeout): a message
    /// the push service accepted is recorded as delivered, not sent again after its lease.
    public func run(pollInterval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            do {
                let pass = Task { try await self.deliverDue() }
                if try await pass.value.count == batchSize { continue }
            } catch {
                logger.error("push delivery pass failed", metadata: ["error": "\(error)"])
            }
            var pause = pollInterval
            if let next = try? await store.nextPushDue() {
                let untilNext = Duration.milliseconds(Int64(max(0, next.timeIntervalSinceNow) * 1000))
                pause = max(.milliseconds(20), min(pollInterval, untilNext))
            }
            try? await Task.sleep(for: pause)
        }
    }

    /// A sent message whose outcome is not recorded yet.
    struct Attempted: Sendable {
        var push: ClaimedPush
        var attempt: PushAttempt
        var outcome: PushOutcome
    }

    private func send(_ push: ClaimedPush, signer: VAPIDSigner) async -> Attempted {
        let entry = push.entry
        let attempt: PushAttempt
        do {
            let subscription = try PushSubscription(
                storedEndpoint: push.subscription.endpoint, p256dh: push.subscription.p256dh, auth: push.subscription.auth)
            let message = PushMessage(
                payload: Data(entry.payload.utf8), timeToLive: Int(entry.expiresAt.timeIntervalSinceNow.rounded(.up)),
                urgency: entry.urgency, topic: entry.topic)
            let started = Date()
            attempt = await sender.send(message, to: subscription, signer: signer)
            metrics.requestDuration.recordSeconds(Date().timeIntervalSince(started))
        } catch {
            attempt = .rejected(status: nil, reason: Message.pushSubscriptionUnusable("\(error)").text())
        }
        let now = Date()
        let settlement: PushSettlement =
            switch attempt {
            case .delivered(let status): .delivered(status: status)
            case .gone(let status): .gone(status: status)
            case .rejected(let status, let reason): .failed(status: status, reason: reason)
            case .retry(let status, let retryAfter, let reason):
                .retry(
                    at: now.addingTimeInterval(backoff.delay(afterAttempt: entry.attempts, retryAfter: retryAfter)),
                    status: status, reason: reason)
            }
        return Attempted(push: push, attempt: attempt, outcome: PushOutcome(id: entry.id, settlement: settlement, at: now))
    }

    /// Records a group of outcomes in one transaction, then counts and logs them.
    private func record(_ group: [Attempted]) async throws -> [Report] {
        let lost = Set(try await store.settlePushes(group.map(\.outcome), owner: owner))
        return group.map { attempted in
            let entry = attempted.push.entry
            metrics.count(attempted.attempt)
            if case .retry(let at, _, _) = attempted.outcome.settlement, at >= entry.expiresAt { metrics.expired.increment() }
            var metadata: Logger.Metadata = [
                "push": "\(entry.id)", "subscription": "\(attempted.push.subscription.id)",
                "service": "\(entry.endpointOrigin)", "attempt": "\(entry.attempts)",
            ]
            if lost.contains(entry.id) { metadata["lease"] = "lost" }
            switch attempted.attempt {
            case .delivered: logger.debug("push delivered", metadata: metadata)
            case .gone: logger.info("push subscription gone; nothing more is sent to it", metadata: metadata)
            case .retry(_, _, let reason):
                metadata["reason"] = "\(reason)"
                logger.info("push will be retried", metadata: metadata)
            case .rejected(_, let reason):
                metadata["reason"] = "\(reason)"
                logger.warning("push refused", metadata: metadata)
            }
            return Report(entry: entry, attempt: attempted.attempt)
        }
    }

    /// The stored signer, kept between passes so its tokens stay cached, and replaced when the key changes.
    private func currentSigner() async throws -> VAPIDSigner? {
        guard let loaded = try await VAPIDConfiguration.load(from: store) else {
            signer.withLock { $0 = nil }
            return nil
        }
        return signer.withLock { current in
            if let current, current.key.publicKey == loaded.key.publicKey, current.subject == loaded.subject {
                return current
            }
            current = loaded
            return loaded
        }
    }
}

/// `washboard_push_attempts_total{outcome}`, `washboard_push_expired_total` (a retry would
/// come after the message's time to live) and `washboard_push_request_seconds`.
struct PushMetrics: Sendable {
    let delivered = Counter(label: "washboard_push_attempts_total", dimensions: [("outcome", "delivered")])
    let gone = Counter(label: "washboard_push_attempts_total", dimensions: [("outcome", "gone")])
    let retried = Counter(label: "washboard_push_attempts_total", dimensions: [("outcome", "retry")])
    let rejected = Counter(label: "washboard_push_attempts_total", dimensions: [("outcome", "rejected")])
    let expired = Counter(label: "washboard_push_expired_total")
    let requestDuration = Metrics.Timer(label: "washboard_push_request_seconds")

    func count(_ attempt: PushAttempt) {
        switch attempt {
        case .delivered: delivered.increment()
        case .gone: gone.increment()
        case .retry: retried.increment()
        case .rejected: rejected.increment()
        }
    }
}
