import Foundation

// The alerts the domain creates, each with its dedupe key and its sentences from the catalogue.
// The reconciler's cycle alerts are made by ``UseSchedule``.

extension Alert {
    /// Tells the owner that their use was closed by someone else: the machine broke, an admin
    /// cleared it, or the reconciler released it long after its end.
    public static func useClosed(_ use: Use, machine: Machine, at now: Date) -> Alert {
        let body: AlertText =
            switch use.closeReason {
            case .machineBroken: .useClosedByBreakdownBody(machine: machine.label, note: machine.stateNote)
            case .autoReleased:
                .useClosedByAutoReleaseBody(
                    machine: machine.label, minutesAfterEnd: max(0, Int(now.timeIntervalSince(use.endsAt) / 60)))
            default: .useClosedByAdminBody(machine: machine.label)
            }
        return Alert(
            residentId: use.residentId, kind: .useClosed, title: .useClosedTitle(machineId: machine.id), body: body,
            machineId: machine.id, useId: use.id, dedupeKey: "use_closed:\(use.id)", at: now)
    }

    /// Tells the owner of a finished load that someone is waiting for the machine.
    public static func pickupRequest(_ request: PickupRequest, use: Use, machine: Machine) -> Alert {
        Alert(
            residentId: use.residentId, kind: .pickupRequest, title: .pickupRequestTitle(machineId: machine.id),
            body: .pickupRequestBody(machine: machine.label, location: machine.location),
            machineId: machine.id, useId: use.id, dedupeKey: "pickup_request:\(request.id)", at: request.createdAt)
    }

    /// Tells the first waiter that a machine of the kind they wait for is free (and kept for
    /// them while `hold` lasts).
    public static func machineFree(_ machine: Machine, for entry: WaitlistEntry, hold: MachineHold?, at now: Date) -> Alert {
        Alert(
            residentId: entry.residentId, kind: .machineFree, title: .machineFreeTitle(kind: machine.kind),
            body: .machineFreeBody(
                machine: machine.label, location: machine.location,
                heldMinutes: hold.map { Int(($0.until.timeIntervalSince(now) / 60).rounded()) }),
            machineId: machine.id, useId: nil, dedupeKey: "machine_free:\(entry.id)", at: now)
    }

    /// Tells a staff resident that enough residents reported a machine (``CrowdReports``).
    /// - Parameter report: the report that confirmed it.
    public static func reportConfirmed(_ report: ProblemReport, machine: Machine, for staffId: String, at now: Date)
        -> Alert
    {
        Alert(
            residentId: staffId, kind: .reportConfirmed,
            title: .reportConfirmedTitle(machineId: machine.id, residents: machine.reportedBy ?? 0),
            body: .reportConfirmedBody(machine: machine.label, location: machine.location, latest: report.text),
            machineId: machine.id, useId: nil, dedupeKey: "report_confirmed:\(report.id):\(staffId)", at: now)
    }

    /// Tells a resident who reported a machine, or who waits for its kind, that it was repaired.
    public static func machineRepaired(_ machine: Machine, for residentId: String, reported: Bool, at now: Date) -> Alert {
        Alert(
            residentId: residentId, kind: .machineRepaired, title: .machineRepairedTitle(machineId: machine.id),
            body: .machineRepairedBody(machine: machine.label, location: machine.location, reported: reported),
            machineId: machine.id, useId: nil,
            dedupeKey: "machine_repaired:\(machine.id):\(Int(now.timeIntervalSince1970)):\(residentId)", at: now)
    }

    /// The "working again" alerts of a repair: one to each resident with an open report on the
    /// machine (`openReports` oldest first, as the stores read them), and one to each other
    /// resident waiting for a machine it fits.
    public static func workingAgain(
        _ machine: Machine, openReports: [ProblemReport], waiting: [WaitlistEntry], at now: Date
    ) -> [Alert] {
        var told = Set<String>()
        let reporters = openReports.map(\.residentId).filter { told.insert($0).inserted }
        let waiters = Waitlist.waiters(for: machine, among: waiting, at: now).map(\.residentId)
            .filter { told.insert($0).inserted }
        return reporters.map { machineRepaired(machine, for: $0, reported: true, at: now) }
            + waiters.map { machineRepaired(machine, for: $0, reported: false, at: now) }
    }

    /// A pushed notice, for one resident. The text is the admin's own, in each language they wrote.
    public static func notice(_ notice: Notice, for residentId: String, at now: Date) -> Alert {
        Alert(
            residentId: residentId, kind: .notice, title: .noticeAlertTitle(notice.severity),
            body: .notice(text: notice.text, texts: notice.texts), machineId: notice.machineIds.first, useId: nil,
            dedupeKey: "notice:\(notice.id):\(residentId)", at: now)
    }

    /// The notice a `notice` alert is about, from its dedupe key `notice:<id>:<resident>`.
    public var noticeId: String? {
        let parts = dedupeKey.split(separator: ":")
        guard kind == .notice, parts.count == 3 else { return nil }
        return String(parts[1])
    }

    /// The dedupe key of a use's `cycle_done` alert: a reminder waits for it.
    static func cycleDoneKey(useId: String) -> String { "cycle_done:\(useId)" }

    /// A new alert whose sentences come from the catalogue: kept by key for every reader's
    /// language, and in English for the admin CLI.
    init(
        residentId: String, kind: Kind, title: AlertText, body: AlertText, machineId: String?, useId: String?,
        dedupeKey: String, at now: Date
    ) {
        self.init(
            id: Secrets.newUUID(), residentId: residentId, kind: kind, title: title.text(in: .english),
            body: body.text(in: .english), machineId: machineId, useId: useId, dedupeKey: dedupeKey, at: now,
            content: AlertContent(title: title, body: body))
    }
}
