import DeviceState
import Foundation
import Testing

@Suite("Rule: how an unacknowledged alert reaches the resident")
struct AlertRoutingRuleTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// 2026-11-22T14:30:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_357_800)
    static let afternoon = try! QuietHours(start: "14:00", end: "15:00")
    static let night = try! QuietHours(start: "22:00", end: "07:00")

    static func alert(_ kind: Alert.Kind, notice: String? = nil) -> Alert {
        Alert(
            id: "a1", residentId: "ada", kind: kind, title: "t", body: "b", machineId: "W1", useId: "u1",
            dedupeKey: notice.map { "notice:\($0):ada" } ?? "\(kind.rawValue):u1", at: now)
    }

    static func use(endsIn minutes: Double, closed: Bool = false) -> Use {
        Use(
            id: "u1", machineId: "W1", residentId: "ada", startedAt: now.addingTimeInterval(-3600),
            endsAt: now.addingTimeInterval(minutes * 60), closedAt: closed ? now : nil, closeReason: closed ? .collected : nil)
    }

    static func notice(quiet: Bool = false, urgent: Bool = false, retracted: Bool = false) -> Notice {
        Notice(
            id: "n1", text: "Water off", severity: .warning, publishAt: now.addingTimeInterval(-60),
            retractedAt: retracted ? now : nil, push: true, quiet: quiet, urgent: urgent, createdAt: now)
    }

    static func route(
        _ alert: Alert, quietHours: QuietHours? = nil, dorm: QuietHours? = nil, muted: [Alert.Kind] = [], use: Use? = nil,
        notice: Notice? = nil
    ) -> AlertRoute {
        AlertRouting.route(
            alert, preferences: Preferences(quietHours: quietHours, mutedAlertKinds: muted), dormQuietHours: dorm, use: use,
            notice: notice, timeZone: utc, at: now)
    }

    @Test("outside quiet hours an alert is pushed loudly")
    func plain() {
        #expect(
            Self.route(Self.alert(.cycleDone), use: Self.use(endsIn: -1))
                == .push(silent: false, urgent: false, because: .unacknowledged))
        #expect(Self.route(Self.alert(.useClosed)) == .push(silent: false, urgent: false, because: .unacknowledged))
    }

    @Test("in quiet hours the resident's own cycle alerts go out silently; other alerts stay loud")
    func quietOwnCycle() {
        for kind in [Alert.Kind.endingSoon, .cycleDone, .pickupReminder] {
            let use = Self.use(endsIn: kind == .endingSoon ? 3 : -1)
            #expect(
                Self.route(Self.alert(kind), quietHours: Self.afternoon, use: use)
                    == .push(silent: true, urgent: false, because: .quietHours))
        }
        #expect(
            Self.route(Self.alert(.pickupRequest), quietHours: Self.afternoon, use: Self.use(endsIn: -1))
                == .push(silent: false, urgent: false, because: .unacknowledged))
    }

    @Test("the dorm's quiet hours apply to residents who set none, and only to them")
    func dormDefault() {
        let use = Self.use(endsIn: -1)
        #expect(
            Self.route(Self.alert(.cycleDone), dorm: Self.afternoon, use: use)
                == .push(silent: true, urgent: false, because: .quietHours))
        #expect(
            Self.route(Self.alert(.cycleDone), quietHours: Self.night, dorm: Self.afternoon, use: use)
                == .push(silent: false, urgent: false, because: .unacknowledged))
    }

    @Test("in quiet hours a notice waits until they end; an urgent one goes out at once; a quiet one goes out silently")
    func notices() throws {
        let end = try #require(ISO8601DateFormatter().date(from: "2026-11-22T15:00:00Z"))
        let alert = Self.alert(.notice, notice: "n1")
        #expect(Self.route(alert, quietHours: Self.afternoon, notice: Self.notice()) == .hold(until: end, because: .quietHours))
        #expect(
            Self.route(alert, quietHours: Self.afternoon, notice: Self.notice(urgent: true))
                == .push(silent: false, urgent: true, because: .urgentNotice))
        #expect(Self.route(alert, notice: Self.notice(quiet: true)) == .push(silent: true, urgent: false, because: .quietNotice))
        #expect(
            Self.route(alert, quietHours: Self.afternoon, notice: Self.notice(quiet: true, urgent: true))
                == .push(silent: true, urgent: true, because: .urgentNotice))
        #expect(Self.route(alert, notice: Self.notice()) == .push(silent: false, urgent: false, because: .unacknowledged))
    }

    @Test("muted kinds and stale news are dropped, whatever the hour")
    func dropped() {
        #expect(
            Self.route(Self.alert(.cycleDone), quietHours: Self.afternoon, muted: [.cycleDone], use: Self.use(endsIn: -1))
                == .drop(because: .muted))
        #expect(Self.route(Self.alert(.endingSoon), use: Self.use(endsIn: 0)) == .drop(because: .stale), "past its end")
        #expect(Self.route(Self.alert(.endingSoon), use: Self.use(endsIn: 3, closed: true)) == .drop(because: .stale))
        for kind in [Alert.Kind.cycleDone, .pickupReminder, .pickupRequest] {
            #expect(Self.route(Self.alert(kind), use: Self.use(endsIn: -5, closed: true)) == .drop(because: .stale), "\(kind)")
        }
        #expect(
            Self.route(Self.alert(.notice, notice: "n1"), quietHours: Self.afternoon, notice: Self.notice(retracted: true))
                == .drop(because: .stale), "a retracted notice is not held, it is dropped")
    }

    @Test("a use_closed alert is never stale: the laundry is still to be collected")
    func useClosedNeverStale() {
        #expect(!AlertRouting.isStale(Self.alert(.useClosed), use: Self.use(endsIn: -5, closed: true), notice: nil, at: Self.now))
    }

    @Test("quiet hours over midnight")
    func overMidnight() throws {
        let day = ISO8601DateFormatter()
        for (time, inside) in [
            ("21:59", false), ("22:00", true), ("03:00", true), ("06:59", true), ("07:00", false), ("12:00", false),
        ] {
            let date = try #require(day.date(from: "2026-11-22T\(time):00Z"))
            #expect(Self.night.contains(date, in: Self.utc) == inside, "\(time)")
        }
    }

    @Test("the end of quiet hours is the next time the wall clock shows it")
    func quietEnd() throws {
        let formatter = ISO8601DateFormatter()
        let night = try #require(formatter.date(from: "2026-11-22T23:30:00Z"))
        #expect(formatter.string(from: Self.night.end(after: night, in: Self.utc)) == "2026-11-23T07:00:00Z")
        let early = try #require(formatter.date(from: "2026-11-23T03:00:00Z"))
        #expect(formatter.string(from: Self.night.end(after: early, in: Self.utc)) == "2026-11-23T07:00:00Z")
    }

    @Test("quiet hours are read on the dorm's wall clock")
    func timeZone() throws {
        let seoul = try #require(TimeZone(identifier: "Asia/Seoul"))
        // 14:30 UTC is 23:30 in Seoul: inside 22:00-07:00 there, outside it in UTC.
        #expect(Self.night.contains(Self.now, in: seoul) && !Self.night.contains(Self.now, in: Self.utc))
    }
}
