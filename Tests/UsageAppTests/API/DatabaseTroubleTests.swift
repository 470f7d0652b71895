import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DeviceState
@testable import UsageApp

/// Bad luck on the server: the database cannot take a write for a while. Every write then
/// answers 503 problem+json with `Retry-After`, reads keep working, nothing is half
/// written, and the same request works once the trouble has passed.
@Suite("A full disk, a read-only database, a long lock: 503 with Retry-After, reads still work")
struct DatabaseTroubleTests {
    static let start = ByteBuffer(json: #"{"minutes":30}"#)

    static func startW1(_ client: some TestClientProtocol, token: String) async throws -> TestResponse {
        var headers = HTTPFields.json(token)
        headers[UseController.idempotencyKey] = "trouble-1"
        return try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: headers, body: start)
    }

    /// The refused write: 503, the problem's code, a `Retry-After`; and the board still reads W1 as idle.
    static func expectRefused(
        _ response: TestResponse, code: String, _ client: some TestClientProtocol, token: String, dorm: TestDorm,
        headBefore: Int64
    ) async throws {
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(try response.object["code"] as? String == code)
        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
        let board = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token))
        #expect(board.status == .ok)
        #expect(try await dorm.store.headSeq() == headBefore, "nothing of the refused write is in the log")
        #expect(try await dorm.store.machine("W1").machine.state == .idle)
    }

    @Test("another writer holds the lock past the busy timeout: 503 database_busy, then the same request succeeds")
    func longLock() async throws {
        let dorm = try await TestDorm(busyTimeout: 0.3)
        let (_, token) = try await dorm.resident()
        // An admin's transaction in another connection, as `sqlite3` or a long CLI command holds it.
        let admin = try SQLiteStore(path: dorm.folder.databasePath)
        let lock = AdminLock(admin)
        try await lock.take()
        try await dorm.withServer { client in
            let head = try await dorm.store.headSeq()
            try await Self.expectRefused(
                try await Self.startW1(client, token: token), code: "database_busy", client, token: token, dorm: dorm,
                headBefore: head)
            await lock.release()
            #expect(try await Self.startW1(client, token: token).status == .created)
        }
    }

    @Test("a read-only database: 503 database_not_writable, reads work, writes again once writable")
    func readOnly() async throws {
        let dorm = try await TestDorm()
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let head = try await dorm.store.headSeq()
            // SQLite's own read-only switch on the server's writer: the error a read-only file gives.
            try await dorm.store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = 1") }
            try await Self.expectRefused(
                try await Self.startW1(client, token: token), code: "database_not_writable", client, token: token,
                dorm: dorm, headBefore: head)
            try await dorm.store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = 0") }
            #expect(try await Self.startW1(client, token: token).status == .created)
        }
    }

    @Test(
        "a full disk (a real 2 MiB tmpfs, filled): 503 database_not_writable, reads work, writes again once space returns",
        .enabled(if: SmallFileSystem.canMount, "needs root to mount a tmpfs"))
    func fullDisk() async throws {
        let disk = try SmallFileSystem(bytes: 2 << 20)
        defer { disk.unmount() }
        let dorm = try await TestDorm(in: TestFolder(existing: disk.url))
        let (_, token) = try await dorm.resident()
        try await dorm.withServer { client in
            let head = try await dorm.store.headSeq()
            let filler = try disk.fill()
            try await Self.expectRefused(
                try await Self.startW1(client, token: token), code: "database_not_writable", client, token: token,
                dorm: dorm, headBefore: head)
            try FileManager.default.removeItem(at: filler)
            #expect(try await Self.startW1(client, token: token).status == .created)
            #expect(try await dorm.store.machine("W1").machine.state == .inUse)
        }
    }
}

/// A write transaction held open on a connection of its own, on a thread of its own.
final class AdminLock: @unchecked Sendable {
    let store: SQLiteStore
    private let taken = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(_ store: SQLiteStore) { self.store = store }

    func take() async throws {
        Thread.detachNewThread { [self] in
            try? store.pool.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "UPDATE settings SET value = value")
                taken.signal()
                released.wait()
                try db.execute(sql: "COMMIT")
            }
            finished.signal()
        }
        await onOwnThread { self.taken.wait() }
    }

    func release() async {
        released.signal()
        await onOwnThread { self.finished.wait() }
    }
}

/// A tmpfs of a few megabytes, mounted for one test: a disk that really fills. Mounted and
/// unmounted with the system calls, not mount(8): no process is started for it.
struct SmallFileSystem: Sendable {
    let url: URL

    static let canMount: Bool = {
        guard geteuid() == 0, let disk = try? SmallFileSystem(bytes: 1 << 20) else { return false }
        disk.unmount()
        return true
    }()

    init(bytes: Int) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("washboard-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        guard Glibc.mount("tmpfs", url.path, "tmpfs", 0, "size=\(bytes)") == 0 else {
            try? FileManager.default.removeItem(at: url)
            throw RawWebSocket.Failure("mounting a tmpfs failed: errno \(errno)")
        }
    }

    /// Writes a file until the disk is full; returns it.
    func fill() throws -> URL {
        let filler = url.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        defer { try? handle.close() }
        let chunk = Data(count: 4096)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        return filler
    }

    /// Detaches it at once, even while the test's database is still open on it.
    func unmount() {
        umount2(url.path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(at: url)
    }
}
