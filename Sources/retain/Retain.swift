import ArgumentParser
import NIOCore
import NIOPosix

/// `retain` — the customer retention and loyalty platform.
@main
struct Retain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retain",
        abstract: "Customer retention and loyalty: points, rules, redemptions and an HTTP API.",
        discussion: """
            Start the server with `retain serve`; it creates the SQLite database (retain.sqlite) and, on first \
            start, prints an admin API key. Every command takes --database PATH (or RETAIN_DATABASE), or a \
            PostgreSQL server as --database postgres://user@host:5432/db (or RETAIN_DATABASE_URL).
            """,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, KeysCommand.self, ProgramsCommand.self, CustomerCommand.self,
            RulesCommand.self, ProgramCommand.self, ExpireCommand.self, ReportCommand.self, ImportCommand.self,
            AnalyzeCommand.self, CopyCommand.self,
        ])

    /// Runs Swift concurrency on SwiftNIO's event loop threads, so database and network completions do not hop
    /// between two thread pools (measured: fewer context switches per request under load).
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
