import ArgumentParser

/// `washboard`: the server, the admin CLI and (later) the reconciler, in one binary.
@main
struct Washboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "washboard",
        abstract: "Live laundry-room board for dorm residents: which machines are free, in use or broken.",
        discussion: """
            Every command works on one SQLite file (--db, default $WASHBOARD_DB or ./washboard.sqlite). \
            The server, cron and the admin commands may use it at the same time.
            """,
        subcommands: [Serve.self, Admin.self]
    )
}
