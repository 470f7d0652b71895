import DeviceState
import Foundation
import Hummingbird
import Wire

/// "Tell me when a washer is free": a resident's places on the waitlist (``Waitlist``).
struct WaitlistController {
    let store: any WaitlistStore

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/waitlist", methods: [.get: list, .post: join])
        router.on("/api/waitlist/:id", methods: [.delete: leave])
    }

    struct Entries: Encodable { var entries: [WaitlistPlace] }

    @Sendable func join(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let body = try await request.decodeJSON(as: WaitlistJoinBody.self)
        // To the millisecond, not the second: two residents joining in the same second keep their order.
        let place = try await store.joinWaitlist(kind: body.kind, location: body.location, residentId: resident.id, at: Date())
        return try Response.json(place, status: .created)
    }

    @Sendable func list(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        return try Response.json(Entries(entries: try await store.waitlist(of: resident.id, at: .currentSecond)))
    }

    @Sendable func leave(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        try await store.leaveWaitlist(try context.parameters.require("id"), residentId: resident.id)
        return Response(status: .noContent)
    }
}
