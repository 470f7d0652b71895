import DeviceState
import Foundation
import Hummingbird
import Notify
import Wire

/// Web Push sign-up: `GET /api/push/vapid-public-key`, `POST` and `DELETE /api/push/subscriptions`.
struct PushController {
    let store: any PushSubscriptionStore & SettingsStore
    let policy: PushEndpointPolicy
    let limiter: RequestLimiter

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/push/vapid-public-key", methods: [.get: publicKey])
        router.on("/api/push/subscriptions", methods: [.post: subscribe, .delete: unsubscribe])
    }

    struct PublicKeyResponse: Encodable { var publicKey: String }

    /// The PWA's `applicationServerKey`. Public by nature: no session needed.
    @Sendable func publicKey(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        guard let signer = try await VAPIDConfiguration.load(from: store) else {
            throw Problem(status: .serviceUnavailable, code: "push_not_configured", detail: .pushNotConfigured)
        }
        return try Response.json(PublicKeyResponse(publicKey: signer.key.publicKey))
    }

    struct SubscriptionResponse: Encodable {
        var id: String
        var endpoint: String
        var createdAt: Date
    }

    @Sendable func subscribe(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        try spend(for: resident)
        let body = try await request.decodeJSON(as: PushSubscriptionBody.self)
        let endpoint: String
        let p256dh: String
        let auth: String
        do throws(PushSubscription.Invalid) {
            endpoint = try Self.require(body.endpoint, "endpoint")
            p256dh = try Self.require(body.keys?.p256dh, "keys.p256dh")
            auth = try Self.require(body.keys?.auth, "keys.auth")
            _ = try PushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth, policy: policy)
        } catch {
            throw DeviceStateError.invalidInput(field: error.field, reason: error.reason)
        }
        // Stored as the browser sent it, so that its DELETE by the same endpoint string matches.
        let record = try await store.addPushSubscription(
            residentId: resident.id, endpoint: endpoint, p256dh: p256dh, auth: auth, at: .currentSecond)
        return try Response.json(
            SubscriptionResponse(id: record.id, endpoint: record.endpoint, createdAt: record.createdAt), status: .created)
    }

    /// Idempotent: 204 also when the subscription was already gone.
    @Sendable func unsubscribe(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        try spend(for: resident)
        let body = try await request.decodeJSON(as: PushUnsubscribeBody.self)
        _ = try await store.removePushSubscription(endpoint: body.endpoint, of: resident.id, at: .currentSecond)
        return Response(status: .noContent)
    }

    /// Turning notifications on or off counts against ``RateLimit/pushChangeBudget``: each
    /// subscription is a row and, for some push services, a request from the server.
    private func spend(for resident: Resident) throws {
        try limiter.spend(
            "push:\(resident.id)", RateLimit.pushChangeBudget, as: .pushSubscriptionChanges(RateLimit.pushChangeBudget))
    }

    private static func require(_ value: String?, _ field: String) throws(PushSubscription.Invalid) -> String {
        guard let value, !value.isEmpty else { throw PushSubscription.Invalid(field: field, reason: .missing) }
        return value
    }
}
