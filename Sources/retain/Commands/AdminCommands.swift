import ArgumentParser
import Foundation
import RetainCore
import RetainServices
import RetainStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database schema, then exit.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await Runtime.with(database) { runtime in
            if output.json {
                try printJSON(["applied": runtime.migration.applied, "version": [runtime.migration.version]])
            } else if runtime.migration.applied.isEmpty {
                print("\(database.displayName) is up to date (schema version \(runtime.migration.version))")
            } else {
                print(
                    "applied migrations \(runtime.migration.applied.map(String.init).joined(separator: ", ")) to \(database.displayName); schema version \(runtime.migration.version)"
                )
            }
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret (shown only once; only a hash is stored).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        @Option(help: "A name that says who uses the key (e.g. \"web shop\").")
        var name: String

        @Option(
            help:
                "read (GET only), write (orders, customers, events, redemptions) or admin (adjustments, rules, settings)."
        )
        var scope: String = "write"

        func run() async throws {
            guard let scope = Scope(rawValue: scope) else {
                throw ValidationError("--scope must be read, write or admin")
            }
            try await Runtime.with(database) { runtime in
                let made = try await runtime.administration.createKey(
                    program: program.program, name: name, scope: scope)
                if output.json {
                    try printJSON([
                        "id": made.key.id, "secret": made.secret, "scope": scope.rawValue, "program": program.program,
                    ])
                } else {
                    print(
                        "created key \(made.key.id) (\(scope.rawValue), program \(program.program)); the secret is shown only once:"
                    )
                    print(made.secret)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this program's keys.", valueName: "id"))
        var program: String?

        func run() async throws {
            try await Runtime.with(database) { runtime in
                let keys = try await runtime.administration.keys(program: program)
                if output.json {
                    try printJSON(keys.map { KeyListing($0) })
                } else {
                    printTable(
                        ["ID", "PROGRAM", "NAME", "PREFIX", "SCOPE", "CREATED", "REVOKED"],
                        keys.map { key in
                            [
                                key.id, key.programID, key.name, key.prefix + "…", key.scope.rawValue,
                                RFC3339.string(key.createdAt), key.revokedAt.map(RFC3339.string) ?? "-",
                            ]
                        })
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key; servers stop accepting it within 5 seconds.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The key id (from `retain keys list`).")
        var id: String

        func run() async throws {
            try await Runtime.with(database) { runtime in
                try await runtime.administration.revokeKey(id: id)
                print("revoked \(id)")
            }
        }
    }
}

/// A key as listed: everything but the hash.
struct KeyListing: Encodable {
    let id: String, program: String, name: String, prefix: String, scope: String
    let createdAt: Date, revokedAt: Date?

    init(_ key: APIKey) {
        id = key.id
        program = key.programID
        name = key.name
        prefix = key.prefix
        scope = key.scope.rawValue
        createdAt = key.createdAt
        revokedAt = key.revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, program, name, prefix, scope
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

struct ProgramsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programs", abstract: "Create and list programs (workspaces), e.g. one per client of an agency.",
        subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a program with its own currency, rules and keys.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The id: 1–40 of a–z, 0–9, '-', '_'.")
        var id: String

        @Option(help: "A display name.")
        var name: String?

        @Option(help: "ISO 4217 currency the program earns in.")
        var currency: String

        @Option(help: "IANA time zone for weekdays, dates and caps.")
        var timeZone: String = "UTC"

        @Option(
            help: ArgumentHelp(
                "Points expire this many days after their award (default: never; PATCH /v1/program for other policies).",
                valueName: "days"))
        var pointsExpireAfterDays: Int?

        func run() async throws {
            guard let currency = Currency(code: currency) else {
                throw ValidationError("--currency \(currency) is not an ISO 4217 code")
            }
            try await Runtime.with(database) { runtime in
                let program = try await runtime.administration.createProgram(
                    id: id, name: name ?? id,
                    settings: ProgramSettings(
                        currency: currency, timeZone: timeZone, pointsExpireAfterDays: pointsExpireAfterDays))
                print(
                    "created program \(program.id) (\(currency.code), \(timeZone)); create its key with: retain keys create --program \(program.id) --name NAME"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List programs.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Runtime.with(database) { runtime in
                let programs = try await runtime.administration.programs()
                if output.json {
                    try printJSON(programs)
                } else {
                    printTable(
                        ["ID", "NAME", "CURRENCY", "TIME ZONE"],
                        programs.map {
                            [$0.id, $0.name, $0.settings.currency.code, $0.settings.timeZone]
                        })
                }
            }
        }
    }
}
