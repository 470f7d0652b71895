import Foundation

/// Small values the server, cron and the admin CLI share, by key.
public protocol SettingsStore: Sendable {
    func setting(_ key: SettingKey) async throws -> String?
    func setSetting(_ key: SettingKey, to value: String) async throws
    func removeSetting(_ key: SettingKey) async throws
    /// Stores `value` only if `key` has none yet; false when it had one.
    func addSetting(_ key: SettingKey, value: String) async throws -> Bool
}

/// The name of a setting. Each module declares the keys it owns in an extension.
public struct SettingKey: RawRepresentable, Hashable, Sendable {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The dorm's default quiet hours (`{"start":"22:00","end":"07:00"}`), for residents who
    /// set none: alert routing reads it.
    public static let defaultQuietHours = SettingKey(rawValue: "default_quiet_hours")
    /// The dorm's language (`ko`, `en`), set by `serve --default-language`: what a push is
    /// written in for a resident who chose none and whose devices named none.
    public static let defaultLanguage = SettingKey(rawValue: "default_language")
}
