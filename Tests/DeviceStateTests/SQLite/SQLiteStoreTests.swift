import DeviceState
import Foundation
import Testing

// What only the SQLite backend promises; the behaviour every backend shares is in StoreContract/.

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("every connection runs WAL, synchronous=FULL, foreign keys on and a busy timeout")
    func pragmas() async throws {
        let db = try SQLiteTestDatabase()
        let settings = try await db.sqlite.connectionSettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2, "FULL: an acknowledged commit survives a power cut")
        #expect(settings.foreignKeys)
        #expect(settings.busyTimeoutMilliseconds >= 1000)
    }

    @Test("tokens are stored only as hashes")
    func tokensHashed() async throws {
        let db = try SQLiteTestDatabase()
        let (_, token) = try await db.store.addTestResident()
        let file =
            try Data(contentsOf: URL(fileURLWithPath: db.path))
            + ((try? Data(contentsOf: URL(fileURLWithPath: db.path + "-wal"))) ?? Data())
        #expect(file.range(of: Data(token.utf8)) == nil)
        #expect(file.range(of: Data(Secrets.sha256Hex(token).utf8)) != nil)
    }

    @Test("a new database file and its WAL are readable by their owner only")
    func fileMode() async throws {
        let db = try SQLiteTestDatabase()
        try await db.store.addTestMachine("W1")
        for file in [db.path, db.path + "-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
    }
}
