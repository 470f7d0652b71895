import DeviceState
import Foundation

/// A fresh SQLite file in a temporary folder, removed with its WAL files when the test ends.
final class TemporaryDatabase: Sendable {
    let folder: URL
    let path: String
    let store: SQLiteStore

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("washboard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("test.sqlite").path
        store = try SQLiteStore(path: path)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }
}

let testNow = Date(timeIntervalSince1970: 1_790_000_000)

extension SQLiteStore {
    @discardableResult
    func addTestMachine(_ id: String, kind: Machine.Kind = .washer, location: String = "Hall A", minutes: Int = 45) async throws
        -> MachineStatus
    {
        try await addMachine(
            Machine(id: id, kind: kind, label: "Machine \(id)", location: location, cycleMinutes: minutes, updatedAt: testNow))
    }

    /// A resident with a session; returns the resident and the bearer token.
    func addTestResident(_ name: String = "Ada", room: String = "101") async throws -> (Resident, String) {
        let (_, code) = try await addResident(name: name, room: room, codeValidFor: 3600, at: testNow)
        return try await redeemEnrollmentCode(code.code, at: testNow)
    }
}
