import ArgumentParser
import DeviceState
import Foundation
import Hummingbird
import Logging
import NIOCore
import Notify
import ServiceLifecycle

/// `washboard serve`: the server, with its live board, alert router, push worker and reconciler.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server.",
        discussion: "Stops gracefully on SIGTERM or SIGINT. Logs go to standard error.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one and prints it).")
    var port = 8080

    @Option(
        help: ArgumentHelp(
            "Where residents open the app, as scheme://host[:port].",
            discussion: "Enrollment links point here; the session cookie is Secure when it is https. Default: http://HOST:PORT.",
            valueName: "url"))
    var publicOrigin: String?

    @Option(help: "Seconds a board read may be reused when another process (the admin CLI, cron) wrote meanwhile.")
    var boardTtl: Double = 1

    @Option(help: "SO_SNDBUF per connection in bytes (default: the kernel's autotuning).")
    var socketSendBuffer: Int?

    @OptionGroup(title: "Web Push") var push: PushOptions

    @OptionGroup(title: "Connections") var connections: ConnectionOptions

    @OptionGroup var timing: SharedTimingOptions

    @Option(
        help: ArgumentHelp(
            "The dorm's default quiet hours as HH:MM-HH:MM, for residents who set none; 'off' removes them.",
            discussion: "Stored in the database, so cron's reconcile uses them too. Read on this machine's time zone.",
            valueName: "from-to"))
    var defaultQuietHours: String?

    @Option(
        help: ArgumentHelp(
            "Days a session may go unused before it ends and the device must enroll again (1 to 365).",
            valueName: "days"))
    var sessionIdleDays = SessionLifetime.defaultIdleDays

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "The address of a proxy in front of this server (repeatable), e.g. 127.0.0.1 for nginx on the same host.",
            discussion: """
                Its X-Forwarded-For header then names the client, for the limits per client address \
                (wrong enrollment codes). From any other peer the header is ignored.
                """,
            valueName: "ip"))
    var trustedProxies: [String] = []

    @Option(
        help: ArgumentHelp(
            "Minutes a machine freed for the first waiter on the waitlist is kept for them; 0 only tells them.",
            discussion: "Stored in the database, so cron's auto-release holds machines too."))
    var waitlistHoldMinutes = 0

    @Option(
        help: ArgumentHelp(
            "Different residents whose reports about one machine confirm it is broken: the board shows it and staff are alerted.",
            discussion: "Their reports must fall within --report-window-hours of each other."))
    var reportConfirmations = CrowdReports().confirmations

    @Option(help: "Hours within which reports from different residents confirm each other (1 to 72).")
    var reportWindowHours = CrowdReports().windowHours

    @Option(
        help: ArgumentHelp(
            "The dorm's language, ko or en: for residents and requests that name none, and the demo dorm's labels.",
            discussion: "Stored in the database, so cron's pushes use it too."))
    var defaultLanguage = Language.english

    @Flag(
        help:
            "Do not run the reconciler's pass every 15 s (notices, cycle alerts, reminders, auto-release, pruning); cron runs it."
    )
    var noReconciler = false

    @Flag(help: "Fill an empty database with a demo dorm and print an enrollment link for a demo resident.")
    var demo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        if let socketSendBuffer, !(1024...(16 << 20)).contains(socketSendBuffer) {
            throw ValidationError("--socket-send-buffer must be 1024 to 16777216 bytes.")
        }
        guard boardTtl > 0, boardTtl <= 60 else {
            throw ValidationError("--board-ttl must be more than 0 and at most 60 seconds.")
        }
        if let defaultQuietHours, defaultQuietHours != "off", DefaultQuietHours.parse(defaultQuietHours) == nil {
            throw ValidationError("--default-quiet-hours must look like 22:00-07:00, or be off.")
        }
        for proxy in trustedProxies where (try? SocketAddress(ipAddress: proxy, port: 0)) == nil {
            throw ValidationError("--trusted-proxy \(proxy) is not an IP address.")
        }
        guard SessionLifetime.idleDaysRange.contains(sessionIdleDays) else {
            throw ValidationError("--session-idle-days must be 1 to 365.")
        }
        guard Waitlist.holdMinutesRange.contains(waitlistHoldMinutes) else {
            throw ValidationError(
                "--waitlist-hold-minutes must be \(Waitlist.holdMinutesRange.lowerBound) to \(Waitlist.holdMinutesRange.upperBound)."
            )
        }
        guard CrowdReports.confirmationsRange.contains(reportConfirmations) else {
            throw ValidationError(
                "--report-confirmations must be \(CrowdReports.confirmationsRange.lowerBound) to \(CrowdReports.confirmationsRange.upperBound)."
            )
        }
        guard CrowdReports.windowHoursRange.contains(reportWindowHours) else {
            throw ValidationError(
                "--report-window-hours must be \(CrowdReports.windowHoursRange.lowerBound) to \(CrowdReports.windowHoursRange.upperBound)."
            )
        }
        if let publicOrigin, PublicOrigin.normalize(publicOrigin) == nil {
            throw ValidationError(
                "--public-origin must look like https://laundry.example.org (scheme, host and optional port only).")
        }
    }

    func run() async throws {
        var logger = Logger(label: "washboard")
        logger.logLevel = logLevel
        var configuration = ServerConfiguration(
            host: host, port: port, publicOrigin: publicOrigin.flatMap(PublicOrigin.normalize))
        configuration.boardCacheTTL = .milliseconds(Int(boardTtl * 1000))
        configuration.socketSendBufferBytes = socketSendBuffer
        configuration.pushPolicy = push.policy
        configuration.pushDelivery = push.deliverySettings
        configuration.alertAckTimeout = timing.alertAckTimeout
        configuration.trustedProxies = Set(trustedProxies)
        configuration.sessionIdleLimit = TimeInterval(sessionIdleDays * 86400)
        configuration.connectionLimits = connections.limits
        configuration.defaultLanguage = defaultLanguage
        if !noReconciler {
            configuration.reconciler = .init(policy: timing.policy, retention: timing.retention)
        }
        try await database.withStore { store in try await serve(store, configuration, logger: logger) }
    }

    private func serve(_ store: any WashboardStore, _ configuration: ServerConfiguration, logger: Logger) async throws {
        var configuration = configuration
        // The admin CLI prints enrollment links against the origin the server last ran under.
        try await store.setSetting(.publicOrigin, to: configuration.publicOrigin)
        if let defaultQuietHours { try await DefaultQuietHours.store(defaultQuietHours, in: store) }
        try await store.setSetting(.waitlistHoldMinutes, to: String(waitlistHoldMinutes))
        try await store.setSetting(.defaultLanguage, to: defaultLanguage.rawValue)
        try await store.setSetting(.reportConfirmations, to: String(reportConfirmations))
        try await store.setSetting(.reportWindowHours, to: String(reportWindowHours))
        if demo {
            let code = try await DemoDorm.seed(store, in: defaultLanguage, at: .currentSecond)
            configuration.demoResidentId = code.residentId
            print("Demo dorm ready. Open \(configuration.publicOrigin) and choose \"Try the demo\", or enroll with:")
            print("  code: \(code.code)")
            print("  link: \(PublicOrigin.enrollmentLink(origin: configuration.publicOrigin, code: code.code))")
            print(
                "  curl -s -X POST \(configuration.publicOrigin)/api/session -H 'Content-Type: application/json' -d '{\"code\":\"\(code.code)\"}'"
            )
        }
        let server = buildServer(configuration: configuration, store: store, logger: logger) { [host] port in
            print("washboard: serving on http://\(host):\(port)")
            fflush(nil)
        }
        try await server.run(logger: logger)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}

/// The public origin: where the PWA lives, and what enrollment links point to.
enum PublicOrigin {
    static let fallback = "http://127.0.0.1:8080"

    /// `scheme://host[:port]` in lowercase without a trailing slash, or nil if `text` is not an http(s) origin.
    static func normalize(_ text: String) -> String? {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
            components.path.isEmpty, components.query == nil, components.fragment == nil,
            components.user == nil, components.password == nil
        else { return nil }
        return "\(scheme)://\(host.lowercased())" + (components.port.map { ":\($0)" } ?? "")
    }

    /// The code travels in the fragment, which browsers never send to a server: it stays out of access logs.
    static func enrollmentLink(origin: String, code: String) -> String {
        "\(origin)/join#code=\(code)"
    }
}

/// `--default-quiet-hours`: the dorm's quiet hours for residents who set none.
enum DefaultQuietHours {
    static func parse(_ text: String) -> QuietHours? {
        let parts = text.split(separator: "-")
        guard parts.count == 2 else { return nil }
        return try? QuietHours(start: String(parts[0]), end: String(parts[1]))
    }

    static func store(_ text: String, in store: some SettingsStore) async throws {
        guard let quietHours = parse(text) else {
            try await store.removeSetting(.defaultQuietHours)
            return
        }
        let json = String(decoding: try DomainJSON.encoder().encode(quietHours), as: UTF8.self)
        try await store.setSetting(.defaultQuietHours, to: json)
    }
}

extension SettingKey {
    /// The origin `serve` last ran under: the admin CLI prints enrollment links against it.
    static let publicOrigin = SettingKey(rawValue: "public_origin")
}
