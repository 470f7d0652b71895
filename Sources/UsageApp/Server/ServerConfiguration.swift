import Foundation
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
    /// How long the event log keeps events: a client away for longer gets a full board on return.
    var eventRetention: TimeInterval = 24 * 3600
    /// SO_SNDBUF of each connection, or nil for the kernel's autotuning (up to 4 MB on loopback here).
    /// A small buffer bounds kernel memory per connection and shows a stalled client sooner.
    var socketSendBufferBytes: Int?
    /// How long an alert sent live waits for its `ack` before the push fallback is queued.
    var alertAckTimeout: TimeInterval = 10
    /// Which push endpoints residents may subscribe with.
    var pushPolicy = PushEndpointPolicy()
    /// With `serve --demo`: the demo resident, whom anyone opening the app may sign in as
    /// (`POST /api/demo/session`), so that the demo shows without typing a code.
    var demoResidentId: String?

    init(host: String = "127.0.0.1", port: Int = 8080, publicOrigin: String? = nil) {
        self.host = host
        self.port = port
        self.publicOrigin = publicOrigin ?? "http://\(host):\(port)"
    }

    var cookieIsSecure: Bool { publicOrigin.lowercased().hasPrefix("https://") }
}
