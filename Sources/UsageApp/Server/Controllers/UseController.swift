import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// Residents' actions on machines: start, collect, cancel, ask for pickup, report a problem;
/// staff's list of open reports.
struct UseController {
    let store: any UseStore & ReportStore & ResidentStore
    let limiter: RequestLimiter

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/machines/:id/uses", methods: [.post: start])
        // A machine's label (QR code, NFC sticker): the app, opened on that machine.
        router.on("/m/:id", methods: [.get: openFromLabel])
        router.on("/api/uses/:id/collect", methods: [.post: collect])
        router.on("/api/uses/:id/cancel", methods: [.post: cancel])
        router.on("/api/machines/:id/pickup-requests", methods: [.post: requestPickup])
        router.on("/api/machines/:id/reports", methods: [.post: report])
        router.on("/api/reports", methods: [.get: openReports])
    }

    /// `Idempotency-Key`: a retry of an action queued offline gets the first response, not a 409.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!

    @Sendable func start(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let machineId = try context.parameters.require("id")
        let body = try await request.decodeJSON(as: StartUseBody.self, emptyBody: StartUseBody())
        let key = request.headers[Self.idempotencyKey]
        if let key, !IdempotencyKey.isValid(key) {
            throw Problem.badRequest(.idempotencyKeyFormat(maxLength: IdempotencyKey.maxLength))
        }
        let started = try await store.startUse(
            StartUseRequest(
                machineId: machineId, residentId: resident.id, minutes: body.minutes, idempotencyKey: key,
                startedFrom: body.via),
            at: .currentSecond)
        return try Response.json(
            started.use, status: .created, headers: started.replayed ? [Self.idempotentReplayed: "true"] : [:])
    }

    /// `/m/W1` → `/?machine=W1`: the app shows W1 with one-tap Start, after sign-in when
    /// needed. A redirect rather than the page itself, so the app keeps one address (and the
    /// service worker one cached page).
    @Sendable func openFromLabel(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard Machine.isValidID(id) else { throw DeviceStateError.machineNotFound(id: id) }
        return Response(status: .seeOther, headers: [.location: "/?machine=\(id)"])
    }

    @Sendable func collect(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        return try Response.json(
            try await store.collect(useId: try context.parameters.require("id"), by: resident.id, at: .currentSecond))
    }

    @Sendable func cancel(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        try limiter.spend("cancel:\(resident.id)", RateLimit.cancelBudget, as: .cancels(RateLimit.cancelBudget))
        return try Response.json(
            try await store.cancel(useId: try context.parameters.require("id"), by: resident.id, at: .currentSecond))
    }

    @Sendable func requestPickup(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let pickup = try await store.requestPickup(
            machineId: try context.parameters.require("id"), by: resident.id, at: .currentSecond)
        return try Response.json(pickup, status: .accepted)
    }

    @Sendable func report(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        try limiter.spend("report:\(resident.id)", RateLimit.reportBudget, as: .reports(RateLimit.reportBudget))
        let body = try await request.decodeJSON(as: ProblemReportBody.self)
        let report = try await store.reportProblem(
            machineId: try context.parameters.require("id"), by: resident.id, text: body.text, at: .currentSecond)
        return try Response.json(report, status: .created)
    }

    /// An open report as staff see it in the app: what and when, not who.
    struct OpenReport: Encodable {
        var id: String
        var machineId: String
        var text: String
        var createdAt: Date
    }

    /// The open reports, newest first, for staff only. Staff is read from the store, not the
    /// session cache: an admin's change applies at once.
    @Sendable func openReports(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        guard try await store.resident(resident.id).staff else {
            throw Problem(status: .forbidden, code: "staff_only", detail: .staffOnly)
        }
        let reports = try await store.reports(openOnly: true).map {
            OpenReport(id: $0.id, machineId: $0.machineId, text: $0.text, createdAt: $0.createdAt)
        }
        return try Response.json(["reports": reports])
    }
}
