import DeviceState
import Foundation
import Hummingbird
import Notify
import Wire

/// Web Push sign-up: `GET /api/push/vapid-public-key`, `GET`, `POST` and `DELETE
/// /api/push/subscriptions` (the resident's devices with their health), `POST /api/push/test`.
struct PushController {
    let store: any PushSubscriptionStore & PushOutbox & SettingsStore & ResidentStore
    let policy: PushEndpointPolicy
    let limiter: RequestLimiter
    var defaultLanguage = Language.english

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/push/vapid-public-key", methods: [.get: publicKey])
        router.on("/api/push/subscriptions", methods: [.get: devices, .post: subscribe, .delete: unsubscribe])
        router.on("/api/push/test", methods: [.post: test])
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
            residentId: resident.id, endpoint: endpoint, p256dh: p256dh, auth: auth, language: Language.of(request),
            at: .currentSecond)
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

    /// A device as the resident's Notifications section shows it. The endpoint is the
    /// resident's own: the page finds its own device by it.
    struct Device: Encodable {
        var id: String
        var endpoint: String
        var service: String
        var createdAt: Date
        var health: PushSubscriptionRecord.Health
        var lastSuccessAt: Date?
        var lastFailureAt: Date?
        var lastFailureStatus: Int?
        var consecutiveFailures: Int

        init(_ record: PushSubscriptionRecord) {
            id = record.id
            endpoint = record.endpoint
            service = PushOutboxEntry.origin(of: record.endpoint)
            createdAt = record.createdAt
            health = record.health
            lastSuccessAt = record.lastSuccessAt
            lastFailureAt = record.lastFailureAt
            lastFailureStatus = record.lastFailureStatus
            consecutiveFailures = record.consecutiveFailures
        }

        enum CodingKeys: String, CodingKey {
            case id, endpoint, service, createdAt, health, lastSuccessAt, lastFailureAt, lastFailureStatus, consecutiveFailures
        }

        /// Every key present; unset ones are null.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(endpoint, forKey: .endpoint)
            try container.encode(service, forKey: .service)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(health, forKey: .health)
            try container.encode(lastSuccessAt, forKey: .lastSuccessAt)
            try container.encode(lastFailureAt, forKey: .lastFailureAt)
            try container.encode(lastFailureStatus, forKey: .lastFailureStatus)
            try container.encode(consecutiveFailures, forKey: .consecutiveFailures)
        }
    }

    struct Devices: Encodable { var devices: [Device] }

    @Sendable func devices(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        return try Response.json(Devices(devices: try await store.pushSubscriptions(of: resident.id).map(Device.init)))
    }

    /// What a test notification says, in the language the app asked in.
    struct TestPayload: Encodable {
        var id = UUID().uuidString.lowercased()
        var kind = "test"
        var title: String
        var body: String
        var url = "/"
        var tag = "washboard-test"
        var silent = false

        init(in language: Language) {
            title = Message.testNotificationTitle.text(in: language)
            body = Message.testNotificationBody.text(in: language)
        }

        /// The message to queue for each of `residentId`'s devices, kept by the push service until `expiresAt`.
        static func draft(for residentId: String, in language: Language, expiresAt: Date) throws -> PushDraft {
            let payload = String(decoding: try DomainJSON.encoder().encode(TestPayload(in: language)), as: UTF8.self)
            return PushDraft(
                residentId: residentId, payload: payload, urgency: .normal, topic: "washboard-test", expiresAt: expiresAt)
        }
    }

    struct Queued: Encodable { var queued: Int }

    /// Queues a test notification for each of the resident's devices that takes them; the
    /// device list shows what became of it. 202 with how many were queued (0: none takes them).
    @Sendable func test(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        guard try await VAPIDConfiguration.load(from: store) != nil else {
            throw Problem(status: .serviceUnavailable, code: "push_not_configured", detail: .pushNotConfigured)
        }
        try limiter.spend(
            "push-test:\(resident.id)", RateLimit.testNotificationBudget, as: .testNotifications(RateLimit.testNotificationBudget)
        )
        let now = Date()
        let language = try await Language.forRequest(
            request, resident: resident.id, store: store, dormDefault: defaultLanguage)
        let queued = try await store.enqueuePush(
            try TestPayload.draft(for: resident.id, in: language, expiresAt: now + 600), at: now)
        return try Response.json(Queued(queued: queued.count), status: .accepted)
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
