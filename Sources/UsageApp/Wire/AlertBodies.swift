/// `POST /api/alerts/read`: `{"ids": [...]}` marks those alerts read, `{"all": true}` every one.
public struct AlertsReadBody: Codable, Sendable, Equatable {
    public var ids: [String]?
    public var all: Bool?
}
