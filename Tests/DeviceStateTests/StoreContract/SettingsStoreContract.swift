import DeviceState
import Foundation
import Testing

@Suite("Store contract: settings")
struct SettingsStoreContract {
    static let key = SettingKey(rawValue: "test_setting")

    @Test("set, replace, add only when missing, remove", arguments: StoreBackend.underTest)
    func settings(_ backend: StoreBackend) async throws {
        let db = try await backend.open()
        #expect(try await db.store.setting(Self.key) == nil)
        #expect(try await db.store.addSetting(Self.key, value: "first"))
        #expect(try await !db.store.addSetting(Self.key, value: "second"), "an existing value stays")
        #expect(try await db.another().setting(Self.key) == "first")
        try await db.store.setSetting(Self.key, to: "third")
        #expect(try await db.store.setting(Self.key) == "third")
        try await db.store.removeSetting(Self.key)
        #expect(try await db.store.setting(Self.key) == nil)
    }
}
