import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import UsageApp

@Suite("Board and uses over HTTP")
struct UsesAPITests {
    @Test("twenty concurrent starts on W1 from twenty residents: exactly one 201, nineteen 409, one use")
    func race() async throws {
        let dorm = try await TestDorm()
        var enrolled: [(id: String, token: String)] = []
        for index in 0..<20 { enrolled.append(try await dorm.resident("R\(index)")) }
        let residents = enrolled
        try await dorm.withServer { client in
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, Machine.State?).self) { group in
                for resident in residents {
                    group.addTask {
                        // One connection each, so the requests really overlap.
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                            let response = try await client.post(
                                "/api/machines/W1/uses", headers: .json(resident.token), body: ByteBuffer())
                            let problem = try? DomainJSON.decoder().decode(ConflictProblem.self, from: response.bodyData)
                            return (response.head.status, problem?.machine.machine.state)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .created }.count == 1)
            let conflicts = statuses.filter { $0.0 == .conflict }
            #expect(conflicts.count == 19)
            #expect(conflicts.allSatisfy { $0.1 == .inUse }, "each 409 shows the machine as it is now")
            var openUses = 0
            for resident in residents { openUses += try await dorm.store.openUses(of: resident.id).count }
            #expect(openUses == 1)
        }
    }

    struct ConflictProblem: Decodable { var machine: MachineStatus }

    @Test("the same Idempotency-Key twice: one use, the same response")
    func idempotency() async throws {
        let dorm = try await TestDorm()
        let (id, token) = try await dorm.resident()
        try await dorm.withServer { client in
            var headers = HTTPFields.json(token)
            headers[UseController.idempotencyKey] = "5b0c1f0e-offline-1"
            let body = ByteBuffer(json: #"{"minutes":30}"#)
            let first = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: headers, body: body)
            let second = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: headers, body: body)
            #expect(first.status == .created && second.status == .created)
            #expect(first.body == second.body)
            #expect(second.headers[UseController.idempotentReplayed] == "true")
            #expect(try await dorm.store.openUses(of: id).count == 1)
        }
    }

    @Test("GET /api/board: ETag, 304 while nothing changed, a new board right after a write")
    func boardETag() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer(boardTTL: .seconds(60)) { client in
            let first = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token))
            let etag = try #require(first.headers[.eTag])
            var conditional = HTTPFields.bearer(token)
            conditional[.ifNoneMatch] = etag
            #expect(try await client.execute(uri: "/api/board", method: .get, headers: conditional).status == .notModified)
            conditional[.ifNoneMatch] = "W/" + etag
            #expect(try await client.execute(uri: "/api/board", method: .get, headers: conditional).status == .notModified)

            let start = try await client.execute(uri: "/api/machines/W2/uses", method: .post, headers: .json(token))
            #expect(start.status == .created)

            let after = try await client.execute(uri: "/api/board", method: .get, headers: conditional)
            #expect(after.status == .ok)
            #expect(after.headers[.eTag] != etag)
            let board = try after.decode(Board.self)
            #expect(board.machines.first { $0.machine.id == "W2" }?.machine.state == .inUse)
        }
    }

    @Test("GET /api/board: the summary counts the free washers, and says when one frees up once none is free")
    func boardSummary() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            func summary() async throws -> [[String: Any]] {
                let response = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token))
                return try #require(try response.object["summary"] as? [[String: Any]])
            }
            let empty = try await summary()
            #expect(empty.count == 1)
            #expect(empty.first?["kind"] as? String == "washer" && empty.first?["location"] as? String == "Hall A")
            #expect(empty.first?["total"] as? Int == 2 && empty.first?["free"] as? Int == 2)
            #expect(empty.first?["nextFreeAt"] is NSNull)

            _ = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: .json(token))
            let short = try await client.execute(
                uri: "/api/machines/W2/uses", method: .post, headers: .json(token), body: ByteBuffer(json: #"{"minutes":20}"#)
            ).decode(Use.self)
            let busy = try #require(try await summary().first)
            #expect(busy["free"] as? Int == 0 && busy["awaitingPickup"] as? Int == 0)
            #expect(busy["nextFreeAt"] as? String == short.endsAt.formatted(.iso8601))
        }
    }

    @Test("/m/W1 (a machine's label) opens the app on W1; a start made there is counted in the stats")
    func fromLabel() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let opened = try await client.execute(uri: "/m/W1", method: .get)
            #expect(opened.status == .seeOther)
            #expect(opened.headers[.location] == "/?machine=W1")
            #expect(try await client.execute(uri: "/m/W%201", method: .get).status == .notFound)

            let started = try await client.execute(
                uri: "/api/machines/W1/uses", method: .post, headers: .json(token), body: ByteBuffer(json: #"{"via":"label"}"#))
            #expect(started.status == .created)
            _ = try await client.execute(uri: "/api/machines/W2/uses", method: .post, headers: .json(token))
            let odd = try await client.execute(
                uri: "/api/machines/W1/uses", method: .post, headers: .json(token), body: ByteBuffer(json: #"{"via":"poster"}"#))
            #expect(odd.status == .badRequest)
        }
        let stats = try await dorm.store.stats(
            since: .currentSecond - 3600, at: .currentSecond + 60, timeZone: TimeZone(identifier: "UTC")!)
        #expect(stats.startsFromLabels == 1)
        #expect(stats.usesByHour.reduce(0, +) == 2)
    }

    @Test("collect: only the owner; the machine is free afterwards")
    func collect() async throws {
        let dorm = try await TestDorm()
        let (_, ada) = try await dorm.resident("Ada")
        let (_, bob) = try await dorm.resident("Bob")
        try await dorm.withServer { client in
            let use = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: .json(ada)).decode(Use.self)
            let stranger = try await client.execute(uri: "/api/uses/\(use.id)/collect", method: .post, headers: .bearer(bob))
            #expect(stranger.status == .forbidden)
            let owner = try await client.execute(uri: "/api/uses/\(use.id)/collect", method: .post, headers: .bearer(ada))
            #expect(owner.status == .ok)
            #expect(try owner.decode(Use.self).closeReason == .collected)
            let machine = try await client.execute(uri: "/api/machines/W1", method: .get, headers: .bearer(bob))
            #expect(try machine.decode(MachineStatus.self).machine.state == .idle)
        }
    }

    @Test("pickup request: 202 on a done machine and one alert to the owner, 429 on a second, 409 on a running one")
    func pickupRequests() async throws {
        let dorm = try await TestDorm()
        let (ada, _) = try await dorm.resident("Ada")
        let (_, bob) = try await dorm.resident("Bob")
        let longAgo = Date.currentSecond.addingTimeInterval(-50 * 60)
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W1", residentId: ada, minutes: 45), at: longAgo)
        _ = try await dorm.store.startUse(StartUseRequest(machineId: "W2", residentId: ada, minutes: 45), at: .currentSecond)
        try await dorm.withServer { client in
            let first = try await client.execute(uri: "/api/machines/W1/pickup-requests", method: .post, headers: .bearer(bob))
            #expect(first.status == .accepted)
            let second = try await client.execute(uri: "/api/machines/W1/pickup-requests", method: .post, headers: .bearer(bob))
            #expect(second.status == .tooManyRequests)
            #expect(Int(second.headers[.retryAfter] ?? "") ?? 0 > 0)
            let running = try await client.execute(uri: "/api/machines/W2/pickup-requests", method: .post, headers: .bearer(bob))
            #expect(running.status == .conflict)
            #expect(try running.object["code"] as? String == "machine_not_done")
        }
        let alerts = try await dorm.store.events(after: 0, limit: 100).filter { $0.kind == .alert }
        #expect(alerts.map(\.topic) == [.resident(ada)], "the owner is alerted once")
    }

    @Test("a problem report is recorded")
    func report() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let response = try await client.execute(
                uri: "/api/machines/W2/reports", method: .post, headers: .json(token),
                body: ByteBuffer(json: #"{"text":"  Smells of burning rubber  "}"#))
            #expect(response.status == .created)
            #expect(try response.decode(ProblemReport.self).text == "Smells of burning rubber")
        }
    }

    @Test("health and the OpenAPI document are served without credentials")
    func documents() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(try health.object["status"] as? String == "ok")
            let openAPI = try await client.execute(uri: "/api/openapi.yaml", method: .get)
            #expect(openAPI.status == .ok)
            #expect(String(buffer: openAPI.body).hasPrefix("openapi: 3.1"))
        }
    }
}
