import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Counts what residents and client addresses do, and refuses the one too many with 429
/// (`RateLimit`'s budgets). The counts live in this process: with several instances behind
/// a proxy each keeps its own, so a client spread over N instances gets up to N budgets —
/// still far below anything a guess at a code could use.
final class RequestLimiter: Sendable {
    /// Keys kept before the oldest are dropped: a flood of addresses cannot grow memory.
    private static let keyLimit = 50_000
    private let events = Mutex<[String: [Date]]>([:])

    /// Refuses with 429 (`Retry-After`) when `key` used up `budget`; records nothing.
    func check(_ key: String, _ budget: RateLimit.Budget, as limit: RateLimit, at now: Date = Date()) throws {
        let earlier = events.withLock { $0[key] ?? [] }
        if let seconds = budget.retryAfter(earlier, at: now) {
            throw DeviceStateError.rateLimited(retryAfterSeconds: seconds, limit: limit)
        }
    }

    /// Counts one more for `key`.
    func record(_ key: String, _ budget: RateLimit.Budget, at now: Date = Date()) {
        events.withLock { events in
            if events.count >= Self.keyLimit, events[key] == nil {
                events = events.filter { $0.value.contains { now.timeIntervalSince($0) < budget.window } }
                if events.count >= Self.keyLimit { events.removeAll(keepingCapacity: true) }
            }
            var times = events[key, default: []].filter { now.timeIntervalSince($0) < budget.window }
            times.append(now)
            events[key] = times
        }
    }

    /// ``check(_:_:as:at:)`` then ``record(_:_:at:)``: for actions that count whether or not they succeed.
    func spend(_ key: String, _ budget: RateLimit.Budget, as limit: RateLimit, at now: Date = Date()) throws {
        try check(key, budget, as: limit, at: now)
        record(key, budget, at: now)
    }
}

/// Who is on the other end of a request: the peer's address, or, when the peer is one of the
/// configured proxies (`serve --trusted-proxy`), the nearest address in `X-Forwarded-For`
/// that is not one of them. A header from anyone else is ignored: it is the client's to forge.
struct ClientAddresses: Sendable {
    var trustedProxies: Set<String> = []

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func address(of request: Request, peer: SocketAddress?) -> String {
        let direct = peer?.ipAddress ?? "unknown"
        guard trustedProxies.contains(direct) else { return direct }
        // Each proxy appends the address it heard from: the last hop that is not ours is the client.
        let hops = request.headers[values: Self.forwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? hops.first ?? direct
    }
}
