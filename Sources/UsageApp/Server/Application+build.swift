import DeviceState
import Foundation
import Hummingbird
import Logging
import Notify
import ServiceLifecycle

/// Everything `washboard serve` runs: the HTTP and WebSocket server with its background
/// services, and the live hub. Built by ``buildServer(configuration:store:hub:logger:onServerRunning:)``
/// only, for `serve` and for the tests.
struct WashboardServer<App: ApplicationProtocol> {
    let application: App
    let hub: LiveHub

    /// Runs until SIGTERM or SIGINT. ``LiveShutdown`` comes after the application: services
    /// stop in reverse order, so it closes the sockets with 1001 before the server stops.
    func run(logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [application, LiveShutdown(hub: hub)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// The composition root: every route, store consumer and background service of the server
/// is wired here and nowhere else.
///
/// ``SessionAuthenticator`` looks at every request's credentials once; handlers that need a
/// resident read `context.session`. The background services are the event tailer, the alert
/// router, the presence reporter, and, when configured, the push outbox worker and the reconciler. In `serve` the
/// worker sends push messages continuously, so the reconciler's pass there leaves that step to it.
func buildServer(
    configuration: ServerConfiguration, store: any WashboardStore, hub: LiveHub = LiveHub(), logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> WashboardServer<some ApplicationProtocol> {
    _ = WashboardMetrics.registry
    let sessions = Sessions(store: store, publicOrigin: configuration.publicOrigin, idleLimit: configuration.sessionIdleLimit)
    let boardCache = BoardSnapshot.cache(store: store, ttl: configuration.boardCacheTTL)

    let router = Router(context: WashboardRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ProblemMiddleware(defaultLanguage: configuration.defaultLanguage))
    router.add(middleware: SessionAuthenticator(sessions: sessions))
    // Inside the problem middleware: a path no route knows is looked up among the PWA's files first.
    AppController.addRoutes(to: router)
    let limiter = RequestLimiter()
    SessionController(
        store: store, sessions: sessions, cookieIsSecure: configuration.cookieIsSecure, limiter: limiter,
        clientAddresses: ClientAddresses(trustedProxies: configuration.trustedProxies),
        demoResidentId: configuration.demoResidentId, defaultLanguage: configuration.defaultLanguage
    )
    .addRoutes(to: router)
    BoardController(store: store, cache: boardCache).addRoutes(to: router)
    UseController(store: store, limiter: limiter).addRoutes(to: router)
    WaitlistController(store: store).addRoutes(to: router)
    AlertController(store: store, defaultLanguage: configuration.defaultLanguage).addRoutes(to: router)
    PushController(
        store: store, policy: configuration.pushPolicy, limiter: limiter, defaultLanguage: configuration.defaultLanguage
    )
    .addRoutes(to: router)
    DocumentController(store: store).addRoutes(to: router)

    let live = LiveController(
        store: store, sessions: sessions, hub: hub, boardCache: boardCache, publicOrigin: configuration.publicOrigin,
        maxLivePerViewer: configuration.connectionLimits.maxLivePerViewer, defaultLanguage: configuration.defaultLanguage)

    // This instance, as other instances and the store's leases know it.
    let instance =
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    let alertRouter = AlertRouter(
        store: store, instance: instance, ackTimeout: configuration.alertAckTimeout, logger: logger)
    var tailer = EventTailer(store: store, hub: hub, boardCache: boardCache, logger: logger)
    tailer.onPublishedAlerts = { alerts in
        if !alerts.unreached.isEmpty { await alertRouter.routeNow(alerts.unreached) }
        do {
            try await store.recordLiveDelivery(alerts.live, at: Date())
        } catch {
            // The alert reached the sockets all the same; only its ledger misses the line.
            logger.warning("recording live delivery failed", metadata: ["error": "\(error)"])
        }
    }
    var services: [any Service] = [
        tailer, alertRouter, PresenceReporter(store: store, hub: hub, instance: instance, logger: logger),
    ]
    if let settings = configuration.pushDelivery {
        let sender = settings.makeSender(policy: configuration.pushPolicy, logger: logger)
        let delivery = settings.makeDelivery(store: store, sender: sender, logger: logger)
        services.append(PushDeliveryService(delivery: delivery, sender: sender))
    }
    if let schedule = configuration.reconciler {
        let reconciler = Reconciler(
            store: store, policy: schedule.policy, retention: schedule.retention, ackTimeout: configuration.alertAckTimeout)
        services.append(
            ReconcilerService(
                reconciler: reconciler, interval: schedule.interval, pruneInterval: schedule.pruneInterval, logger: logger))
    }

    let application = Application(
        router: router,
        server: .washboard(
            live: live, sendBufferBytes: configuration.socketSendBufferBytes, limits: configuration.connectionLimits),
        configuration: ApplicationConfiguration(
            // A reconnect storm after a restart: thousands of connections at once (the default is 256).
            address: .hostname(configuration.host, port: configuration.port), serverName: "washboard", backlog: 4096),
        services: services,
        onServerRunning: { [port = configuration.port] channel in await onServerRunning(channel.localAddress?.port ?? port) },
        eventLoopGroupProvider: .shared(ServerEventLoops.group),
        logger: logger)
    return WashboardServer(application: application, hub: hub)
}
