import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Notify

@testable import UsageApp

/// A temporary folder holding one database file, removed when the test ends.
final class TestFolder: Sendable {
    let url: URL
    var databasePath: String { url.appendingPathComponent("washboard.sqlite").path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("washboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A folder that exists already: a file system the test mounted.
    init(existing url: URL) {
        self.url = url
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A dorm for API tests: a real store on a temporary file, with machines W1 and W2 (45 min).
struct TestDorm: Sendable {
    let folder: TestFolder
    let store: SQLiteStore

    init(in folder: TestFolder? = nil, busyTimeout: TimeInterval = 5) async throws {
        self.folder = try folder ?? TestFolder()
        store = try SQLiteStore(path: self.folder.databasePath, busyTimeout: busyTimeout)
        for id in ["W1", "W2"] {
            _ = try await store.addMachine(
                Machine(
                    id: id, kind: .washer, label: "Washer \(id)", location: "Hall A", cycleMinutes: 45, updatedAt: .currentSecond)
            )
        }
    }

    /// A new resident with a session; returns their id and bearer token.
    func resident(_ name: String = "Ada") async throws -> (id: String, token: String) {
        let (_, code) = try await store.addResident(name: name, room: "101", codeValidFor: 3600, at: .currentSecond)
        let (resident, token) = try await store.redeemEnrollmentCode(code.code, at: .currentSecond)
        return (resident.id, token)
    }

    static let publicOrigin = "http://127.0.0.1:8080"

    /// Runs `body` against the server, built as `serve` builds it, on a real socket. The push
    /// worker and the reconciler run only when given settings.
    @discardableResult
    func withServer<Value: Sendable>(
        boardTTL: Duration = .seconds(1), hub: LiveHub = LiveHub(), socketSendBufferBytes: Int? = nil,
        pushPolicy: PushEndpointPolicy = PushEndpointPolicy(), alertAckTimeout: TimeInterval = 10,
        pushDelivery: ServerConfiguration.PushDeliverySettings? = nil, demoResidentId: String? = nil,
        trustedProxies: Set<String> = [], connectionLimits: ConnectionLimits = ConnectionLimits(),
        defaultLanguage: Language = .english, _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        var configuration = ServerConfiguration(port: 0, publicOrigin: Self.publicOrigin)
        configuration.boardCacheTTL = boardTTL
        configuration.socketSendBufferBytes = socketSendBufferBytes
        configuration.pushPolicy = pushPolicy
        configuration.alertAckTimeout = alertAckTimeout
        configuration.pushDelivery = pushDelivery
        configuration.demoResidentId = demoResidentId
        configuration.trustedProxies = trustedProxies
        configuration.connectionLimits = connectionLimits
        configuration.defaultLanguage = defaultLanguage
        var logger = Logger(label: "washboard.test")
        logger.logLevel = .warning
        let server = buildServer(configuration: configuration, store: store, hub: hub, logger: logger)
        return try await server.application.test(.live) { client in try await body(client) }
    }
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func json(_ token: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let token { fields[.authorization] = "Bearer \(token)" }
        return fields
    }
}

extension ByteBuffer {
    init(json: String) { self.init(string: json) }
}

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: Data(buffer: body))
            guard let object = value as? [String: Any] else {
                throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: [], debugDescription: "not an object"))
            }
            return object
        }
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try DomainJSON.decoder().decode(T.self, from: Data(buffer: body))
    }
}

extension TestClient.Response {
    var bodyData: Data { body.map { Data(buffer: $0) } ?? Data() }
}
