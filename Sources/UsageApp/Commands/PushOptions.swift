import ArgumentParser
import DeviceState
import Foundation
import Logging
import Notify

/// How the server and `admin push test` reach push services.
struct PushOptions: ParsableArguments {
    @Option(
        name: .customLong("push-allow"),
        help: ArgumentHelp(
            "Also accept push endpoints on this host (repeatable).",
            discussion: """
                The known push services (FCM, Mozilla, Apple, Windows) are always accepted. Give host for the \
                scheme's default port only, host:port for another port, *.example.com for any subdomain.
                """,
            valueName: "host[:port]"))
    var allowedHosts: [String] = []

    @Flag(help: "Accept plain-http endpoints on loopback hosts given with --push-allow (tests and local trials only).")
    var pushAllowInsecureLoopback = false

    @Option(help: "Seconds a push service has to answer one request, from connecting to the last byte.")
    var pushTimeout: Double = 30

    @Option(help: "Seconds to open a connection to a push service.")
    var pushConnectTimeout: Double = 5

    @Option(help: "Push requests in flight at once.")
    var pushConcurrency = 32

    func validate() throws {
        for host in allowedHosts where host.isEmpty || host.contains("/") || host.contains("@") {
            throw ValidationError("--push-allow takes host or host:port, not \(host.debugDescription).")
        }
        guard pushTimeout > 0, pushTimeout <= 300 else {
            throw ValidationError("--push-timeout must be more than 0 and at most 300.")
        }
        guard pushConnectTimeout > 0, pushConnectTimeout <= 60 else {
            throw ValidationError("--push-connect-timeout must be more than 0 and at most 60.")
        }
        guard (1...1024).contains(pushConcurrency) else { throw ValidationError("--push-concurrency must be 1 to 1024.") }
    }

    var policy: PushEndpointPolicy {
        PushEndpointPolicy(
            allowedHosts: PushEndpointPolicy.defaultAllowedHosts + allowedHosts,
            allowsInsecureLoopback: pushAllowInsecureLoopback)
    }

    var deliverySettings: ServerConfiguration.PushDeliverySettings {
        .init(connectTimeout: pushConnectTimeout, totalTimeout: pushTimeout, concurrency: pushConcurrency)
    }

    /// Runs `body` with an outbox worker for a command that sends and exits, then shuts its
    /// HTTP client down, also when `body` throws.
    func withDelivery<T>(
        store: any PushOutbox & SettingsStore, logger: Logger, _ body: (PushDelivery) async throws -> T
    ) async throws -> T {
        let sender = deliverySettings.makeSender(policy: policy, logger: logger)
        let delivery = deliverySettings.makeDelivery(store: store, sender: sender, logger: logger)
        do {
            let result = try await body(delivery)
            try await sender.shutdown()
            return result
        } catch {
            try? await sender.shutdown()
            throw error
        }
    }
}
