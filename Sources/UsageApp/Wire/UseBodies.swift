import DeviceState

/// `POST /api/machines/:id/uses`. The body may be left out: the machine's own cycle, not via a label.
public struct StartUseBody: Codable, Sendable, Equatable {
    public var minutes: Int?
    /// `label` when the start was tapped on the page a machine's QR code or NFC sticker opened.
    public var via: Use.Source?

    public init(minutes: Int? = nil, via: Use.Source? = nil) {
        self.minutes = minutes
        self.via = via
    }
}

/// `POST /api/machines/:id/reports`: a problem with a machine, in the resident's words.
public struct ProblemReportBody: Codable, Sendable, Equatable {
    public var text: String
}
