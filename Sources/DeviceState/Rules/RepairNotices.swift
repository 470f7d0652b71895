import Foundation

/// What marking a machine broken or repaired does to the notices about it.
///
/// - With `postingNotice`, breaking posts an outage notice about the machine, with no end
///   (the repair ends it), and repairing posts "back in service" for ``backInServiceLifetime``.
/// - A repair always takes down the live outage notices about this machine alone, whoever
///   posted them: they are no longer true. A notice about several machines or a location stays.
public struct RepairNotices: Sendable, Hashable {
    /// How long the "back in service" notice of a repair stays on the boards.
    public static let backInServiceLifetime: TimeInterval = 12 * 3600

    /// The live notices to take down.
    public var toRetract: [Notice]
    /// The notice to post, if any.
    public var toPost: Notice?

    /// - Parameters:
    ///   - machine: the machine after the change; `brokenNote` is nil for a repair.
    ///   - liveNotices: the notices live at `now`.
    public init(machine: Machine, brokenNote: String?, postingNotice: Bool, liveNotices: [Notice], at now: Date) {
        toRetract =
            brokenNote == nil ? liveNotices.filter { $0.severity == .outage && $0.machineIds == [machine.id] } : []
        guard postingNotice else {
            toPost = nil
            return
        }
        let (text, severity, expiresAt): (Message, Notice.Severity, Date?) =
            if let brokenNote {
                (.outageNotice(machine: machine.label, note: brokenNote), .outage, nil)
            } else {
                (.backInServiceNotice(machine: machine.label), .info, now.addingTimeInterval(Self.backInServiceLifetime))
            }
        toPost = Notice(
            id: Secrets.newShortID(), text: text.text(in: .english),
            texts: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0.rawValue, text.text(in: $0)) }),
            severity: severity, machineIds: [machine.id], publishAt: now, expiresAt: expiresAt, createdAt: now)
    }
}
