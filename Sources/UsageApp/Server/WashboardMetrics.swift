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
    /// From the tailer handing an event to the hub to its frame being written to a socket.
    let fanOutLatency: Metrics.Timer

    init() {
        _ = WashboardMetrics.registry
        connections = Metrics.Gauge(label: "washboard_live_connections")
        framesSent = Metrics.Counter(label: "washboard_live_frames_sent_total")
        slowClientCloses = Metrics.Counter(label: "washboard_live_slow_client_closes_total")
        fanOutLatency = Metrics.Timer(label: "washboard_live_fanout_seconds")
    }
}
