import Foundation

/// When to try a message again after a 429, a 5xx or a timeout: exponential from `base`,
/// at most `cap`, with ±20% jitter so that messages refused together do not come back
/// together; never earlier than the push service's `Retry-After`.
public struct PushBackoff: Sendable {
    public var base: TimeInterval
    public var cap: TimeInterval

    public init(base: TimeInterval = 1, cap: TimeInterval = 300) {
        self.base = base
        self.cap = cap
    }

    /// The delay after the `attempt`-th attempt (1 for the first) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?) -> TimeInterval {
        let exponential = min(cap, base * pow(2, Double(max(0, min(attempt - 1, 30)))))
        return max(retryAfter ?? 0, exponential * Double.random(in: 0.8...1.2))
    }
}
