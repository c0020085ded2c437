import ArgumentParser
import Foundation
import RetainStore

/// `--database`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite database file (created if missing). Default: $RETAIN_DATABASE, else retain.sqlite.",
            valueName: "path"))
    var database: String?

    @Option(
        help: ArgumentHelp(
            "Durability of each commit: full (fsync every commit, survives power loss) or normal (survives a crash of retain).",
            valueName: "mode"))
    var synchronous: String = "full"

    var path: String {
        database ?? ProcessInfo.processInfo.environment["RETAIN_DATABASE"] ?? "retain.sqlite"
    }

    func validate() throws {
        guard SQLiteProvider.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--synchronous must be full or normal")
        }
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
