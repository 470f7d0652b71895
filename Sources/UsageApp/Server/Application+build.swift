import DeviceState
import Foundation
import Hummingbird
import HummingbirdWSCompression
import HummingbirdWebSocket
import Logging

/// Builds the server: the REST API over `store`. `washboard serve` and the tests call this.
func buildApplication(
    configuration: ServerConfiguration, store: any DeviceStore, hub: LiveHub = LiveHub(), logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(options: .autoGenerateHeadEndpoints)
    _ = WashboardMetrics.registry
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    // Inside the problem middleware: a path no route knows is looked up among the PWA's files first.
    AppController.addRoutes(to: router)

    let auth = Authenticator(store: store, publicOrigin: configuration.publicOrigin)
    let boardCache = BoardController.makeCache(store: store, ttl: configuration.boardCacheTTL)
    SessionController(
        store: store, auth: auth, cookieIsSecure: configuration.cookieIsSecure, demoResidentId: configuration.demoResidentId
    )
    .addRoutes(to: router)
    BoardController(store: store, auth: auth, cache: boardCache).addRoutes(to: router)
    UseController(store: store, auth: auth).addRoutes(to: router)
    PushController(store: store, auth: auth, policy: configuration.pushPolicy).addRoutes(to: router)
    DocumentController(store: store).addRoutes(to: router)

    let refusals = UpgradeRefusals()
    let webSocketRouter = Router(context: LiveRequestContext.self)
    LiveController(
        store: store, auth: auth, hub: hub, boardCache: boardCache, publicOrigin: configuration.publicOrigin, refusals: refusals
    )
    .addRoutes(to: webSocketRouter)
    var tailer = EventTailer(store: store, hub: hub, boardCache: boardCache, logger: logger)
    tailer.retention = configuration.eventRetention
    let alertRouter = AlertRouter(store: store, ackTimeout: configuration.alertAckTimeout, logger: logger)
    tailer.onUnreachedAlerts = { ids in await alertRouter.routeNow(ids) }

    return Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: webSocketRouter,
            configuration: WebSocketServerConfiguration(
                maxFrameSize: Request.maxJSONBodyBytes,
                extensions: [.perMessageDeflate(maxDecompressedFrameSize: Request.maxJSONBodyBytes)],
                autoPing: .enabled(timePeriod: .seconds(25)),
                closeTimeout: .seconds(2)),
            refusals: refusals, sendBufferBytes: configuration.socketSendBufferBytes),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "washboard"),
        services: [tailer, alertRouter],
        onServerRunning: { [port = configuration.port] channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}
