import ArgumentParser

/// `retain` — the customer retention and loyalty platform.
@main
struct Retain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retain",
        abstract: "Customer retention and loyalty: points, rules, redemptions and an HTTP API.",
        discussion: """
            Start the server with `retain serve`; it creates the SQLite database (retain.sqlite) and, on first \
            start, prints an admin API key. Every command takes --database PATH (or RETAIN_DATABASE).
            """,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, KeysCommand.self, ProgramsCommand.self, CustomerCommand.self,
            RulesCommand.self, ExpireCommand.self, ImportCommand.self,
        ])
}
