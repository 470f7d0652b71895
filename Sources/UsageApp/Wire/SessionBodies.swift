import DeviceState

/// `POST /api/session`: the enrollment code a resident was given.
public struct EnrollmentCodeBody: Codable, Sendable, Equatable {
    public var code: String
}

/// `POST /api/kiosk/session`: the token of a kiosk's link.
public struct KioskSessionBody: Codable, Sendable, Equatable {
    public var token: String
}

/// `PATCH /api/me/preferences`: a partial update. Fields left out keep their value;
/// `"quietHours": null` turns quiet hours off.
public struct PreferencesPatch: Codable, Sendable, Equatable {
    /// nil: unchanged; `.some(nil)`: off.
    public var quietHours: QuietHours??
    public var mutedAlertKinds: [Alert.Kind]?
    /// nil: unchanged; `.some(nil)`: follow the device again.
    public var language: Language??

    enum CodingKeys: String, CodingKey { case quietHours, mutedAlertKinds, language }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.quietHours) {
            quietHours = .some(try container.decodeIfPresent(QuietHours.self, forKey: .quietHours))
        }
        mutedAlertKinds = try container.decodeIfPresent([Alert.Kind].self, forKey: .mutedAlertKinds)
        if container.contains(.language) {
            language = .some(try container.decodeIfPresent(Language.self, forKey: .language))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch quietHours {
        case .none: break
        case .some(.none): try container.encodeNil(forKey: .quietHours)
        case .some(.some(let quietHours)): try container.encode(quietHours, forKey: .quietHours)
        }
        try container.encodeIfPresent(mutedAlertKinds, forKey: .mutedAlertKinds)
        switch language {
        case .none: break
        case .some(.none): try container.encodeNil(forKey: .language)
        case .some(.some(let language)): try container.encode(language, forKey: .language)
        }
    }
}
