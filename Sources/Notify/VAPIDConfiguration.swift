import DeviceState
import Foundation

/// Where the VAPID key and subject live: one row of the database's settings, so that the
/// server, the reconciler and the admin CLI share them. The database file is created
/// readable by its owner only.
public enum VAPIDConfiguration {

    struct Stored: Codable {
        var privateKey: String
        var subject: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case alreadyConfigured(publicKey: String)

        public var description: String {
            switch self {
            case .alreadyConfigured(let publicKey):
                "A VAPID key already exists (public key \(publicKey)); replacing it orphans every push subscription. "
                    + "Add --force to replace it anyway."
            }
        }
    }

    /// The stored signer, or nil when no key was generated yet.
    public static func load(from store: some SettingsStore) async throws -> VAPIDSigner? {
        guard let text = try await store.setting(.vapid) else { return nil }
        let stored = try JSONDecoder().decode(Stored.self, from: Data(text.utf8))
        return VAPIDSigner(key: try VAPIDKey(storedPrivateKey: stored.privateKey), subject: try VAPIDSubject(stored.subject))
    }

    /// Generates and stores a new key pair; refuses to replace an existing one unless `replacing`.
    ///
    /// Replacing a key deletes every subscription: push services refuse messages signed
    /// with another key than the one a subscription was made with, and the PWA subscribes
    /// again when it finds its subscription gone.
    public static func generate(subject: VAPIDSubject, replacing: Bool, in store: some SettingsStore & PushSubscriptionStore)
        async throws
        -> VAPIDSigner
    {
        let signer = VAPIDSigner(key: VAPIDKey(), subject: subject)
        let stored = String(
            decoding: try JSONEncoder().encode(Stored(privateKey: signer.key.storedPrivateKey, subject: subject.description)),
            as: UTF8.self)
        if replacing {
            try await store.setSetting(.vapid, to: stored)
            _ = try await store.removeAllPushSubscriptions(reason: .pushKeyReplaced, at: Date())
        } else if try await !store.addSetting(.vapid, value: stored) {
            let existing = try await load(from: store)
            throw Failure.alreadyConfigured(publicKey: existing?.key.publicKey ?? "unreadable")
        }
        return signer
    }
}

extension SettingKey {
    /// The VAPID private key and subject, as JSON.
    static let vapid = SettingKey(rawValue: "vapid")
}
