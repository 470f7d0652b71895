import DeviceState
import Foundation
import Hummingbird

/// The board and single machines: `GET /api/board`, `GET /api/machines/{id}`, for signed-in residents.
struct BoardController {
    let store: any MachineStore
    let cache: BoardCache<BoardSnapshot>

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/board", methods: [.get: board])
        router.on("/api/machines/:id", methods: [.get: machine])
    }

    @Sendable func board(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let session = try context.session
        let board = try await cache.value().encoded(forKiosk: session.kiosk != nil)
        var headers: HTTPFields = [.eTag: board.etag, .cacheControl: "no-cache"]
        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, board.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: board.body))
    }

    /// RFC 9110 §13.1.2: `If-None-Match` compares weakly, so a proxy that weakened the tag still gets 304.
    static func matches(_ ifNoneMatch: String, _ etag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            let candidate = candidate.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || candidate == etag || candidate == "W/" + etag
        }
    }

    @Sendable func machine(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let session = try context.session
        let machine = try await store.machine(try context.parameters.require("id"))
        guard session.kiosk != nil else { return try Response.json(machine) }
        let json = KioskRedaction.data(try DomainJSON.encoder().encode(machine))
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(data: json)))
    }
}
