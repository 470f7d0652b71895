import Foundation

/// How busy the laundry room was and how often its machines broke, over a period
/// (`washboard admin stats`). Days and hours are read on the wall clock of the dorm's
/// time zone.
public struct DormStats: Codable, Sendable, Hashable {
    public struct MachineLine: Codable, Sendable, Hashable {
        public var id: String
        public var label: String
        /// Uses started in the period.
        public var uses: Int
        /// Minutes those uses held the machine, up to their close (or now, if still open).
        public var inUseMinutes: Int
        /// Times the machine was out of order during the period, and for how long in all.
        public var outages: Int
        public var brokenMinutes: Int
    }

    public struct Day: Codable, Sendable, Hashable {
        /// `YYYY-MM-DD`.
        public var day: String
        public var uses: Int
    }

    public var since: Date
    public var until: Date
    public var timeZone: String
    public var machines: [MachineLine]
    /// Every day of the period, quiet ones included.
    public var usesPerDay: [Day]
    /// Uses started in each hour of the day, 0 to 23.
    public var usesByHour: [Int]
    /// The hours with the most starts, busiest first: at most three, none without uses.
    public var busiestHours: [Int]
    /// Uses started from a machine's label (its QR code or NFC sticker, `/m/ID`).
    public var startsFromLabels: Int
    /// What became of the push notifications queued in the period, by outcome
    /// (`pending`, `delivered`, `gone`, `failed`, `expired`).
    public var push: [String: Int]

    /// A period's statistics from its raw rows.
    public init(
        since: Date, until: Date, timeZone: TimeZone, machines: [Machine], uses: [Use], outages: [Outage],
        push: [PushOutboxEntry.State: Int]
    ) {
        self.since = since
        self.until = until
        self.timeZone = timeZone.identifier
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone

        func minutes(_ start: Date, _ end: Date?) -> Int {
            let end = min(end ?? until, until)
            let start = max(start, since)
            return end > start ? Int((end.timeIntervalSince(start) / 60).rounded()) : 0
        }
        let usesByMachine = Dictionary(grouping: uses, by: \.machineId)
        let outagesByMachine = Dictionary(grouping: outages, by: \.machineId)
        self.machines = machines.map { machine in
            let uses = usesByMachine[machine.id] ?? []
            let outages = outagesByMachine[machine.id] ?? []
            return MachineLine(
                id: machine.id, label: machine.label, uses: uses.count,
                inUseMinutes: uses.reduce(0) { $0 + minutes($1.startedAt, $1.closedAt) },
                outages: outages.count, brokenMinutes: outages.reduce(0) { $0 + minutes($1.startedAt, $1.endedAt) })
        }

        func dayKey(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        }
        let perDay = Dictionary(grouping: uses) { dayKey($0.startedAt) }.mapValues(\.count)
        var days: [Day] = []
        var day = calendar.startOfDay(for: since)
        while day < until {
            days.append(Day(day: dayKey(day), uses: perDay[dayKey(day)] ?? 0))
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        self.usesPerDay = days

        var byHour = Array(repeating: 0, count: 24)
        for use in uses { byHour[calendar.component(.hour, from: use.startedAt)] += 1 }
        self.usesByHour = byHour
        self.startsFromLabels = uses.count { $0.startedFrom == .label }
        self.busiestHours = Array(
            byHour.indices.filter { byHour[$0] > 0 }.sorted { (byHour[$1], $0) < (byHour[$0], $1) }.prefix(3))
        self.push = Dictionary(uniqueKeysWithValues: push.map { ($0.key.rawValue, $0.value) })
    }
}

/// A time a machine was out of order; `endedAt` is nil while it still is.
public struct Outage: Codable, Sendable, Hashable {
    public var machineId: String
    public var note: String?
    public var startedAt: Date
    public var endedAt: Date?
}
