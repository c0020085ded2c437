import ArgumentParser
import Foundation
import RetainStore

/// `--database`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The database: an SQLite file (created if missing), sqlite:PATH, or a PostgreSQL server as "
                + "postgres://user:password@host:5432/db?sslmode=prefer. "
                + "Default: $RETAIN_DATABASE_URL, else $RETAIN_DATABASE, else retain.sqlite.",
            valueName: "path|url"))
    var database: String?

    @Option(
        help: ArgumentHelp(
            "Durability of each commit: full (fsync every commit, survives power loss) or normal (survives a crash of retain). SQLite only: PostgreSQL follows the server's synchronous_commit.",
            valueName: "mode"))
    var synchronous: String = "full"

    @Option(
        help: ArgumentHelp(
            "PostgreSQL only: connections this process keeps open at most (the URL's pool_size wins).",
            valueName: "n"))
    var poolSize: Int = 10

    /// What the user named, or the default.
    var path: String {
        let environment = ProcessInfo.processInfo.environment
        return database ?? environment["RETAIN_DATABASE_URL"] ?? environment["RETAIN_DATABASE"] ?? "retain.sqlite"
    }

    /// The parsed location.
    func location() throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(path, poolSize: poolSize)
        } catch {
            throw CLIError("--database: \(error)")
        }
    }

    /// The location for messages (a PostgreSQL URL without its password).
    var displayName: String { (try? location().description) ?? path }

    func validate() throws {
        guard SQLiteProvider.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--synchronous must be full or normal")
        }
        guard (2...1_000).contains(poolSize) else { throw ValidationError("--pool-size must be from 2 to 1000") }
        if let database { _ = try DatabaseLocation(database, poolSize: poolSize) }
    }
}

/// `--program`, for commands that act on one program.
struct ProgramOption: ParsableArguments {
    @Option(help: ArgumentHelp("The program (workspace) id.", valueName: "id"))
    var program: String = "default"
}

/// `--json`, for commands whose output a program may read.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false
}
