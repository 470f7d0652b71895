import DeviceState
import Foundation
import Hummingbird
import Logging

/// Builds the server: the REST API over `store`. `washboard serve` and the tests call this.
func buildApplication(
    configuration: ServerConfiguration, store: any DeviceStore, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(options: .autoGenerateHeadEndpoints)
    router.add(middleware: ProblemMiddleware())

    let auth = Authenticator(store: store, publicOrigin: configuration.publicOrigin)
    let boardCache = BoardController.makeCache(store: store, ttl: configuration.boardCacheTTL)
    SessionController(store: store, auth: auth, cookieIsSecure: configuration.cookieIsSecure).addRoutes(to: router)
    BoardController(store: store, auth: auth, cache: boardCache).addRoutes(to: router)
    UseController(store: store, auth: auth).addRoutes(to: router)
    DocumentController(store: store).addRoutes(to: router)

    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "washboard"),
        onServerRunning: { [port = configuration.port] channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}
