import Foundation

/// Who is told when a machine becomes free, and how long it is kept for them.
///
/// A resident joins the list for a kind of machine, anywhere or in one location, once per
/// kind. When a machine of that kind becomes idle (collected, cancelled, released, cleared or
/// repaired), the earliest entry that fits it is served: its resident gets a `machine_free`
/// alert and leaves the list, and with a hold configured (`serve --waitlist-hold-minutes`)
/// the machine is kept for them that long. A hold that runs out passes the machine on to
/// the next waiter at the reconciler's next pass.
public enum Waitlist {
    /// An entry nobody served by then is dropped: a load waiting that long went elsewhere.
    public static let entryLifetime: TimeInterval = 4 * 3600
    /// The holds an operator may configure; 0 tells the waiter without keeping the machine.
    public static let holdMinutesRange = 0...60

    /// A new entry for `residentId`, or why not: one entry per resident and kind.
    public static func join(
        kind: Machine.Kind, location: String?, residentId: String, existing: [WaitlistEntry], at now: Date
    ) throws(DeviceStateError) -> WaitlistEntry {
        if let entry = existing.first(where: { $0.residentId == residentId && $0.kind == kind && $0.expiresAt > now }) {
            throw .alreadyWaiting(entry)
        }
        let location = location?.trimmingCharacters(in: .whitespacesAndNewlines)
        return WaitlistEntry(
            id: Secrets.newShortID(), residentId: residentId, kind: kind, location: location?.isEmpty == true ? nil : location,
            createdAt: now, expiresAt: now.addingTimeInterval(entryLifetime))
    }

    /// The entry to serve when `machine` becomes free: the earliest live one for its kind
    /// that wants any location or its own.
    public static func firstWaiter(for machine: Machine, among entries: [WaitlistEntry], at now: Date) -> WaitlistEntry? {
        waiters(for: machine, among: entries, at: now).first
    }

    /// The live entries `machine` could serve, first served first.
    public static func waiters(for machine: Machine, among entries: [WaitlistEntry], at now: Date) -> [WaitlistEntry] {
        entries.filter { $0.fits(machine) && $0.expiresAt > now }.sorted(by: isBefore)
    }

    /// Each of the resident's live entries with its place: 1 plus the earlier entries of the
    /// same kind that could take a machine it could take.
    public static func places(of residentId: String, in entries: [WaitlistEntry], at now: Date) -> [WaitlistPlace] {
        let live = entries.filter { $0.expiresAt > now }
        return live.filter { $0.residentId == residentId }.sorted(by: isBefore).map { entry in
            let ahead = live.count { other in
                other.kind == entry.kind && isBefore(other, entry)
                    && (other.location == nil || entry.location == nil || other.location == entry.location)
            }
            return WaitlistPlace(entry, position: ahead + 1)
        }
    }

    /// The hold that keeps a machine for the waiter told at `now`; none when `minutes` is 0.
    public static func hold(for entry: WaitlistEntry, minutes: Int, at now: Date) -> MachineHold? {
        minutes > 0 ? MachineHold(residentId: entry.residentId, until: now.addingTimeInterval(TimeInterval(minutes * 60))) : nil
    }

    static func isBefore(_ a: WaitlistEntry, _ b: WaitlistEntry) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id
    }
}

extension WaitlistEntry {
    func fits(_ machine: Machine) -> Bool {
        kind == machine.kind && (location == nil || location == machine.location)
    }
}

extension MachineHold {
    /// Whether the hold keeps the machine from `residentId` at `now`.
    public func excludes(_ residentId: String, at now: Date) -> Bool {
        self.residentId != residentId && until > now
    }
}

extension SettingKey {
    /// How many minutes a freed machine is kept for the waiter told about it; set by `serve`,
    /// read by every process that frees machines (cron's auto-release too).
    public static let waitlistHoldMinutes = SettingKey(rawValue: "waitlist_hold_minutes")
}
