import DeviceState
import Foundation
import Hummingbird
import Wire

/// The resident's alert history (`GET /api/alerts`) and its read state (`POST /api/alerts/read`),
/// shared by all their devices: marking read on one tells the others live (`alerts_read`).
struct AlertController {
    let store: any AlertHistoryStore & ResidentStore
    var defaultLanguage = Language.english

    func addRoutes(to router: some RouterMethods<WashboardRequestContext>) {
        router.on("/api/alerts", methods: [.get: list])
        router.on("/api/alerts/read", methods: [.post: markRead])
    }

    /// The oldest alert the history shows, at `now`.
    static func since(_ now: Date) -> Date { now.addingTimeInterval(-Double(AlertEntry.historyDays) * 86400) }

    struct Page: Encodable {
        var alerts: [AlertView]
        var unread: Int
    }

    @Sendable func list(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let query = request.uri.queryParameters
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...AlertEntry.pageLimit).contains(value) else {
                throw DeviceStateError.invalidInput(field: "limit", reason: .range(1...AlertEntry.pageLimit))
            }
            limit = value
        }
        let since = Self.since(Date())
        let entries = try await store.alertHistory(of: resident.id, since: since, before: query.get("before"), limit: limit)
        let unread = try await store.unreadAlerts(of: resident.id, since: since)
        let language = try await Language.forRequest(
            request, resident: resident.id, store: store, dormDefault: defaultLanguage)
        return try Response.json(Page(alerts: entries.map { AlertView(entry: $0.rendered(in: language)) }, unread: unread))
    }

    struct Marked: Encodable {
        var marked: Int
        var unread: Int
    }

    @Sendable func markRead(_ request: Request, context: WashboardRequestContext) async throws -> Response {
        let resident = try context.session.resident
        let body = try await request.decodeJSON(as: AlertsReadBody.self)
        let ids: [String]?
        switch (body.ids, body.all) {
        case (nil, true?): ids = nil
        case (let listed?, nil), (let listed?, false?):
            guard (1...AlertEntry.pageLimit).contains(listed.count) else {
                throw DeviceStateError.invalidInput(field: "ids", reason: .count(1...AlertEntry.pageLimit))
            }
            ids = listed
        default:
            throw DeviceStateError.invalidInput(field: "ids", reason: .missing)
        }
        let now = Date()
        let marked = try await store.markAlertsRead(ids, of: resident.id, at: now)
        return try Response.json(
            Marked(marked: marked, unread: try await store.unreadAlerts(of: resident.id, since: Self.since(now))))
    }
}

/// An alert of the history as the API shows it: the alert, when it was read, and the
/// ledger of its delivery (``AlertLedger``). Every key is present; unset ones are null.
struct AlertView: Encodable {
    let entry: AlertEntry
    /// `admin alerts` lists every resident's: each says whose it is.
    var showsResident = false

    enum CodingKeys: String, CodingKey {
        case id, residentId, kind, title, body, machineId, at, readAt, delivery
    }

    enum DeliveryKeys: String, CodingKey {
        case live, ackedAt, held, routed, pushes
    }

    func encode(to encoder: any Encoder) throws {
        let alert = entry.alert
        let ledger = entry.ledger
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alert.id, forKey: .id)
        if showsResident { try container.encode(alert.residentId, forKey: .residentId) }
        try container.encode(alert.kind, forKey: .kind)
        try container.encode(alert.title, forKey: .title)
        try container.encode(alert.body, forKey: .body)
        try container.encode(alert.machineId, forKey: .machineId)
        try container.encode(alert.at, forKey: .at)
        try container.encode(ledger.readAt, forKey: .readAt)
        var delivery = container.nestedContainer(keyedBy: DeliveryKeys.self, forKey: .delivery)
        try delivery.encode(ledger.live, forKey: .live)
        try delivery.encode(ledger.ackedAt, forKey: .ackedAt)
        try delivery.encode(ledger.held, forKey: .held)
        try delivery.encode(ledger.routed, forKey: .routed)
        try delivery.encode(ledger.pushes, forKey: .pushes)
    }
}
