import Metrics
import Prometheus

/// The process's metrics, served as Prometheus text at `GET /metrics`.
///
/// `MetricsSystem.bootstrap` may run once per process: it runs on first use of ``registry``,
/// which every metric owner touches before it creates its metrics.
enum WashboardMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Requests answered 408 because their head or body did not arrive in time.
    static let requestTimeouts: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "washboard_request_timeouts_total")
    }()

    /// Connections refused at once because ``ConnectionLimits/maxConnections`` were open.
    static let connectionsRefused: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "washboard_connections_refused_total")
    }()
}

/// The live board's metrics.
struct LiveMetrics: Sendable {
    let connections: Metrics.Gauge
    let framesSent: Metrics.Counter
    let slowClientCloses: Metrics.Counter
    /// From the tailer handing events to the hub to their frames being written to the last
    /// socket of an event loop: one sample per loop and tailer read.
    let fanOutLatency: Metrics.Timer
    /// How connections started: resumed from the hub's ring, resumed from the event log, or
    /// sent a full board (from the board cache).
    let resumesFromMemory: Metrics.Counter
    let resumesFromLog: Metrics.Counter
    let boardsSent: Metrics.Counter

    init() {
        _ = WashboardMetrics.registry
        connections = Metrics.Gauge(label: "washboard_live_connections")
        framesSent = Metrics.Counter(label: "washboard_live_frames_sent_total")
        slowClientCloses = Metrics.Counter(label: "washboard_live_slow_client_closes_total")
        fanOutLatency = Metrics.Timer(label: "washboard_live_fanout_seconds")
        resumesFromMemory = Metrics.Counter(label: "washboard_live_starts_total", dimensions: [("from", "memory")])
        resumesFromLog = Metrics.Counter(label: "washboard_live_starts_total", dimensions: [("from", "log")])
        boardsSent = Metrics.Counter(label: "washboard_live_starts_total", dimensions: [("from", "board")])
    }
}
