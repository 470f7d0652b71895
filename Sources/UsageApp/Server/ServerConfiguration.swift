import DeviceState
import Foundation
import Logging
import Notify

/// How `washboard serve` runs.
struct ServerConfiguration: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    /// `scheme://host[:port]` where residents open the PWA. Enrollment links point here,
    /// the session cookie is `Secure` when it is https, and cookie-authenticated writes
    /// from other origins are refused.
    var publicOrigin: String
    /// How stale the board may be after a write by another process (the admin CLI, cron).
    var boardCacheTTL: Duration = .seconds(1)
    /// SO_SNDBUF of each connection, or nil for the kernel's autotuning (up to 4 MB on loopback here).
    /// A small buffer bounds kernel memory per connection and shows a stalled client sooner.
    var socketSendBufferBytes: Int?
    /// How long an alert sent live waits for its `ack` before the push fallback is queued.
    var alertAckTimeout: TimeInterval = 10
    /// Which push endpoints residents may subscribe with, and the server sends to.
    var pushPolicy = PushEndpointPolicy()
    /// With `serve --demo`: the demo resident, whom anyone opening the app may sign in as
    /// (`POST /api/demo/session`), so that the demo shows without typing a code.
    var demoResidentId: String?
    /// The reconciler's pass, every `interval`; nil runs none (`--no-reconciler`: cron runs it).
    var reconciler: ReconcilerSchedule?
    /// The push outbox worker; nil runs none (tests that send themselves).
    var pushDelivery: PushDeliverySettings?
    /// Proxies (nginx) whose `X-Forwarded-For` names the client, for limits per client address.
    var trustedProxies: Set<String> = []
    /// Timeouts and caps on connections.
    var connectionLimits = ConnectionLimits()
    /// The dorm's language (`serve --default-language`), for requests and residents that name none.
    var defaultLanguage = Language.english
    /// A session unused this long has ended.
    var sessionIdleLimit = TimeInterval(SessionLifetime.defaultIdleDays * 86400)

    init(host: String = "127.0.0.1", port: Int = 8080, publicOrigin: String? = nil) {
        self.host = host
        self.port = port
        self.publicOrigin = publicOrigin ?? "http://\(host):\(port)"
    }

    var cookieIsSecure: Bool { publicOrigin.lowercased().hasPrefix("https://") }

    struct ReconcilerSchedule: Sendable {
        var policy = ReconcilerPolicy()
        var retention = Retention()
        var interval: Duration = .seconds(15)
        /// Pruning is worth doing now and then, not every pass.
        var pruneInterval: Duration = .seconds(600)
    }

    /// How the server reaches push services.
    struct PushDeliverySettings: Sendable {
        /// Seconds to open a connection to a push service, and for a whole request.
        var connectTimeout: Double = 5
        var totalTimeout: Double = 30
        /// Requests in flight at once.
        var concurrency = 32

        func makeSender(policy: PushEndpointPolicy, logger: Logger) -> PushSender {
            PushSender(
                policy: policy, connectTimeout: connectTimeout, totalTimeout: totalTimeout,
                maxConnectionsPerHost: concurrency, logger: logger)
        }

        func makeDelivery(store: any PushOutbox & SettingsStore, sender: PushSender, logger: Logger) -> PushDelivery {
            PushDelivery(store: store, sender: sender, concurrency: concurrency, logger: logger)
        }
    }
}
