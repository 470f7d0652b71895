import DeviceState
import Foundation
import Hummingbird

/// `GET /health` and `GET /api/openapi.yaml`: what operators and client authors read.
struct DocumentController {
    let store: any EventLog

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/health", methods: [.get: health])
        router.on("/api/openapi.yaml", methods: [.get: openAPI])
        router.on("/metrics", methods: [.get: metrics])
    }

    /// Prometheus text: HTTP requests and durations, live connections, frames, slow-client closes, fan-out latency.
    @Sendable func metrics(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: WashboardMetrics.registry.emitToBuffer())))
    }

    struct Health: Encodable {
        var status: String
        var seq: Int64
    }

    /// Alive and able to read the database; 503 otherwise, so a supervisor can restart it.
    @Sendable func health(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        do {
            return try Response.json(Health(status: "ok", seq: try await store.headSeq()))
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(error)"])
            throw Problem(status: .serviceUnavailable, code: "database_unavailable", detail: .databaseUnavailable)
        }
    }

    /// The OpenAPI document, `docs/openapi.yaml`, shipped as a resource of the binary.
    static let openAPIDocument: ByteBuffer? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        .flatMap { try? Data(contentsOf: $0) }
        .map { ByteBuffer(data: $0) }

    @Sendable func openAPI(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        guard let document = Self.openAPIDocument else {
            throw Problem(
                status: .internalServerError, code: "resource_missing", detail: .resourceMissing("OpenAPI document"))
        }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: ResponseBody(byteBuffer: document))
    }
}
