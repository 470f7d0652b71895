import ArgumentParser

/// `serve`'s ``ConnectionLimits``.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Seconds a client has from a request's first byte to the end of its head; then 408 (1 to 300).")
    var headTimeout = 10

    @Option(help: "Seconds a client has from a request's head to the end of its body; then 408 (1 to 600).")
    var bodyTimeout = 30

    @Option(help: "Seconds a kept-alive connection may sit with no request before it is closed (1 to 3600).")
    var idleTimeout = 60

    @Option(help: "Open connections of every kind at most; one more is answered 503 at once (16 to 1000000).")
    var maxConnections = ConnectionLimits().maxConnections

    @Option(
        help: "Live board connections of one resident or kiosk at most; one more is refused with 429 (1 to 1000000).")
    var maxLivePerResident = ConnectionLimits().maxLivePerViewer

    func validate() throws {
        guard (1...300).contains(headTimeout) else { throw ValidationError("--head-timeout must be 1 to 300 seconds.") }
        guard (1...600).contains(bodyTimeout) else { throw ValidationError("--body-timeout must be 1 to 600 seconds.") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1 to 3600 seconds.") }
        guard (16...1_000_000).contains(maxConnections) else {
            throw ValidationError("--max-connections must be 16 to 1000000.")
        }
        guard (1...1_000_000).contains(maxLivePerResident) else {
            throw ValidationError("--max-live-per-resident must be 1 to 1000000.")
        }
    }

    var limits: ConnectionLimits {
        ConnectionLimits(
            headTimeout: .seconds(headTimeout), bodyTimeout: .seconds(bodyTimeout), idleTimeout: .seconds(idleTimeout),
            maxConnections: maxConnections, maxLivePerViewer: maxLivePerResident)
    }
}
