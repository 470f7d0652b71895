import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Connection hygiene: deadlines for heads, bodies and idle connections, caps on connections", .serialized)
struct ConnectionLimitTests {
    static let quick = ConnectionLimits(headTimeout: .seconds(1), bodyTimeout: .seconds(1), idleTimeout: .seconds(1))

    @Test("800 connections that send half a request head: each gets 408 problem+json and is closed, others are served")
    func halfOpenHeads() async throws {
        try Self.allowDescriptors(2000)
        let dorm = try await TestDorm()
        var limits = Self.quick
        limits.idleTimeout = .seconds(30)
        try await dorm.withServer(connectionLimits: limits) { client in
            let port = try #require(client.port)
            let stalled = try await onOwnThread {
                Result {
                    try (0..<800).map { _ in
                        let connection = try RawConnection(port: port)
                        connection.send("GET /api/board HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ")
                        return connection
                    }
                }
            }.get()
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)

            let answers = await withTaskGroup(of: String?.self) { group in
                for connection in stalled { group.addTask { await connection.readUntilClosed() } }
                var answers: [String: Int] = [:]
                for await answer in group {
                    answers[answer.map { String($0.prefix(12)) } ?? "still open", default: 0] += 1
                    if let answer {
                        #expect(answer.contains("content-type: application/problem+json"))
                        #expect(answer.contains(#""code":"request_timeout""#))
                    }
                }
                return answers
            }
            #expect(answers == ["HTTP/1.1 408": 800])
        }
    }

    @Test("bytes that are not HTTP/1.1 (an unknown method): 400 problem+json and the connection closes")
    func notHTTP() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer { client in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send("FOO /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = try #require(await connection.readUntilClosed())
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(answer.contains(#""code":"bad_request""#))
        }
    }

    @Test("a body that stops arriving: 408 after the body timeout")
    func stalledBody() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer(connectionLimits: Self.quick) { client in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(
                "POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\":")
            let answer = try #require(await connection.readUntilClosed())
            #expect(answer.hasPrefix("HTTP/1.1 408"))
        }
    }

    @Test("a silent connection, and a kept-alive one after its answer, close without a word after the idle timeout")
    func idleConnections() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer(connectionLimits: Self.quick) { client in
            let port = try #require(client.port)
            let silent = try RawConnection(port: port)
            #expect(await silent.readUntilClosed() == "")

            let keptAlive = try RawConnection(port: port)
            keptAlive.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = try #require(await keptAlive.readResponse())
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(await keptAlive.readUntilClosed() == "")

            // The second request on a connection has the same deadline for its head.
            let second = try RawConnection(port: port)
            second.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            _ = try #require(await second.readResponse())
            second.send("GET /health HTTP/1.1\r\nHo")
            #expect(await second.readUntilClosed()?.hasPrefix("HTTP/1.1 408") == true)
        }
    }

    @Test(
        "an Upgrade to a protocol we do not speak (curl --http2 asks for h2c) is answered as HTTP/1.1, and the deadlines hold",
        .timeLimit(.minutes(1)), arguments: ["h2c", "foo/2, h2c"])
    func unknownUpgradeIsAnswered(_ upgrade: String) async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer(connectionLimits: Self.quick) { client in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: \(upgrade)\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
            let answer = try #require(await connection.readResponse(), "an answer, not a silent close")
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            connection.send("GET /health HTTP/1.1\r\nHo")
            let last = await connection.readUntilClosed()
            #expect(last?.hasPrefix("HTTP/1.1 408") == true, "the head's deadline still holds: \(String(describing: last))")
        }
    }

    @Test(
        "a WebSocket upgrade of another path than /ws is answered, and the connection does not stay open",
        .timeLimit(.minutes(1)), arguments: ["/health|websocket", "/api/board|WebSocket"])
    func upgradeOfAnotherPath(_ request: String) async throws {
        let (path, upgrade) = (request.split(separator: "|")[0], request.split(separator: "|")[1])
        let dorm = try await TestDorm()
        try await dorm.withServer(connectionLimits: Self.quick) { client in
            let connection = try RawConnection(port: try #require(client.port))
            connection.send(
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: \(upgrade)\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            let answer = try #require(await connection.readResponse())
            #expect(!answer.hasPrefix("HTTP/1.1 101"), "\(answer)")
            connection.send("GET /health HTTP/1.1\r\nHo")
            // Closed at once after the refused upgrade's answer, or by the head's deadline.
            let last = await connection.readUntilClosed()
            #expect(last == "" || last?.hasPrefix("HTTP/1.1 408") == true, "\(String(describing: last))")
        }
    }

    @Test("one connection over --max-connections: 503 problem+json with Retry-After; a closed one makes room again")
    func connectionCap() async throws {
        let dorm = try await TestDorm()
        var limits = Self.quick
        limits.idleTimeout = .seconds(60)
        limits.maxConnections = 16
        try await dorm.withServer(connectionLimits: limits) { client in
            let port = try #require(client.port)
            // Connections until one is refused. The test client may hold one of the 16 itself
            // (it connects when it likes), so 15 or 16 of ours are admitted.
            var held: [RawConnection] = []
            var refusal: String?
            while refusal == nil, held.count < 17 {
                let connection = try RawConnection(port: port)
                connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let answer = await connection.readResponse() ?? ""
                if answer.hasPrefix("HTTP/1.1 200") { held.append(connection) } else { refusal = answer }
            }
            #expect((15...16).contains(held.count))
            let answer = try #require(refusal)
            #expect(answer.hasPrefix("HTTP/1.1 503"))
            #expect(answer.contains("retry-after: 5"))
            #expect(answer.contains(#""code":"too_many_connections""#))

            // The server notices the close on its own time: ask until it has (each try is a round trip).
            held.removeLast()
            var admitted = false
            for _ in 0..<200 where !admitted {
                let next = try RawConnection(port: port)
                next.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                admitted = await next.readUntilClosed()?.hasPrefix("HTTP/1.1 200") == true
            }
            #expect(admitted)
        }
    }

    @Test("a resident's live connections over --max-live-per-resident: 429 problem+json; other residents connect")
    func liveConnectionsPerResident() async throws {
        let dorm = try await TestDorm()
        let (_, ada) = try await dorm.resident("Ada")
        let (_, bea) = try await dorm.resident("Bea")
        var limits = ConnectionLimits()
        limits.maxLivePerViewer = 2
        try await dorm.withServer(connectionLimits: limits) { client in
            let port = try #require(client.port)
            let open = try await onOwnThread {
                Result {
                    try (0..<2).map { _ in
                        let socket = try RawWebSocket(port: port, token: ada)
                        try socket.awaitFirstFrame()
                        return socket
                    }
                }
            }.get()
            let third = try RawConnection(port: port)
            third.send(
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Authorization: Bearer \(ada)\r\n\r\n")
            let answer = try #require(await third.readResponse())
            #expect(answer.hasPrefix("HTTP/1.1 429"))
            #expect(answer.contains(#""code":"too_many_live_connections""#))
            #expect(answer.lowercased().contains("retry-after: 5"))
            _ = try await RawWebSocket.open(port: port, token: bea)
            withExtendedLifetime(open) {}
        }
    }

    /// Raises this process's soft limit on open files to `count` when it is lower: each
    /// connection is a descriptor here and one in the server.
    static func allowDescriptors(_ count: rlim_t) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_cur < count else { return }
        guard limit.rlim_max >= count else { throw RawWebSocket.Failure("the hard limit on open files is below \(count)") }
        limit.rlim_cur = count
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
