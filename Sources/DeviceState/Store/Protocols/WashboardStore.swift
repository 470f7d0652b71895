/// Every store at once: what a backend implements, and what only the composition root
/// (opening the database for `serve`, `reconcile` and `admin`) holds. Everything else
/// takes the few protocols it uses.
public typealias WashboardStore = EventLog & MachineStore & UseStore & ReportStore & ResidentStore & SessionStore
    & NoticeStore & AlertStore & AlertHistoryStore & ReconcilerStore & PushSubscriptionStore & PushOutbox & SettingsStore
    & StatsStore
    & PresenceStore & DormTransfer & WaitlistStore & KioskStore
