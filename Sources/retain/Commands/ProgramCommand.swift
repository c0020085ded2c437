import ArgumentParser
import Foundation
import RetainCore
import RetainServices
import Yams

/// `retain program export|load|diff`: the whole program (earning rules and configuration) as one JSON file.
struct ProgramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program",
        abstract: "Export, load, compare or dry-run the whole program (rules, tiers, cards, rewards) as one file.",
        discussion: """
            The file is {"rules": [...], "tiers": {...}, "stamp_cards": [...], "rewards": [...], \
            "automatic_rewards": [...]} in JSON, or the same in YAML (.yaml, .yml) — the objects \
            PUT /v1/earning-rules and PUT /v1/program/configuration take. Loading is all or nothing: every bad field is reported as \
            FILE:LINE:COLUMN with its path, and nothing changes. A configuration change becomes a new version.
            """,
        subcommands: [Export.self, Load.self, Diff.self, DryRun.self, Report.self])

    struct DryRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dry-run",
            abstract: "What a changed program would have given the last days of orders (changes nothing).",
            discussion: """
                Replays the orders of the last --days days under the file's earning rules and stamp cards, next to                 the rules in force. Tier multipliers, reviews and automatic rewards are not replayed.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        @Argument(help: "The program file (JSON, or YAML when it ends in .yaml or .yml).")
        var file: String

        @Option(help: ArgumentHelp("How many days of orders to replay (1–3650).", valueName: "days"))
        var days = 30

        func run() async throws {
            let programFile = try ProgramFile(path: file)
            let definition = try programFile.definition()
            try await Runtime.with(database) { runtime in
                let report: DryRunReport
                do {
                    report = try await runtime.service.dryRun(program: program.program, definition, days: days)
                } catch DomainError.invalid(let issues) {
                    throw CLIError(programFile.located(issues))
                }
                if output.json {
                    try printJSON(report)
                    return
                }
                let change = report.pointsProposed - report.pointsCurrent
                print(
                    "\(report.orders) orders of \(report.customers) customers since \(RFC3339.string(report.from)): "
                        + "\(report.pointsCurrent) points under the rules in force, \(report.pointsProposed) with \(file) "
                        + "(\(change >= 0 ? "+" : "")\(change)); \(report.ordersChanged) orders of \(report.customersChanged) "
                        + "customers change")
                print("")
                printTable(
                    ["RULE", "NOW", "WITH THE FILE"],
                    report.rules.map { [$0.ruleID, String($0.current), String($0.proposed)] })
                for card in report.stampCards {
                    print("stamp card \(card.cardID): \(card.stamps) stamps on \(card.orders) orders")
                }
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How many customers hold each tier, and how they stand on each stamp card.",
            discussion: """
                Tiers are as stored by the last order or job run; run `retain expire` (or `--as-of` a date) first                 to settle the reviews due by then.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        struct Output: Encodable {
            var tiers: TierDistribution?
            var stampCards: StampCardReport

            enum CodingKeys: String, CodingKey {
                case tiers
                case stampCards = "stamp_cards"
            }
        }

        func run() async throws {
            try await Runtime.with(database) { runtime in
                let configuration = try await runtime.service.configuration(program: program.program).configuration
                let tiers =
                    configuration.tiers == nil
                    ? nil : try await runtime.service.tierDistribution(program: program.program)
                let cards = try await runtime.service.stampCardReport(program: program.program)
                if output.json {
                    try printJSON(Output(tiers: tiers, stampCards: cards))
                    return
                }
                if let tiers {
                    printTable(
                        ["TIER", "NAME", "CUSTOMERS"], tiers.tiers.map { [$0.tierID, $0.name, String($0.customers)] })
                    print("")
                }
                for card in cards.cards {
                    print(
                        "\(card.name) (\(card.cardID)): \(card.customers) customers with stamps, \(card.cardsCompleted) cards filled by \(card.customersCompleted) customers"
                    )
                    printTable(
                        ["STAMPS ON THE OPEN CARD", "CUSTOMERS"],
                        card.openStamps.enumerated().map {
                            [$0.offset == card.of ? "\($0.offset) (closed)" : String($0.offset), String($0.element)]
                        })
                    print("")
                }
                if tiers == nil && cards.cards.isEmpty {
                    print("program \(program.program) has no tiers and no stamp cards")
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the program as JSON (to load elsewhere).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption

        @Flag(help: "Write YAML instead of JSON.")
        var yaml = false

        func run() async throws {
            try await Runtime.with(database) { runtime in
                let definition = try await runtime.service.exportProgram(program: program.program)
                guard yaml else { return try printJSON(definition) }
                let value = try APIJSON.decode(JSONValue.self, from: try APIJSON.encode(definition))
                print(try Yams.dump(object: ProgramCommand.plain(value), sortKeys: true), terminator: "")
            }
        }
    }

    /// Swift values Yams writes naturally: whole numbers as integers, not as floating point.
    static func plain(_ value: JSONValue) -> Any? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .number(let number):
            return number == number.rounded() && abs(number) < 9e15 ? Int64(number) as Any : number
        case .string(let text): return text
        case .array(let items): return items.map { plain($0) as Any }
        case .object(let fields): return fields.compactMapValues { plain($0) }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the program's rules and configuration with a file's, all or nothing.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption

        @Argument(help: "The program file (JSON, or YAML when it ends in .yaml or .yml).")
        var file: String

        func run() async throws {
            let programFile = try ProgramFile(path: file)
            let definition = try programFile.definition()
            try await Runtime.with(database) { runtime in
                do {
                    let result = try await runtime.service.loadProgram(
                        program: program.program, definition, actor: "cli")
                    print(
                        "loaded \(result.rules) rules into program \(program.program); configuration version "
                            + "\(result.version)\(result.newVersion ? " (new)" : " (unchanged)")")
                } catch DomainError.invalid(let issues) {
                    throw CLIError(programFile.located(issues))
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what loading a file would change, rule by rule and tier by tier (changes nothing).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        @Argument(help: "The program file (JSON, or YAML when it ends in .yaml or .yml).")
        var file: String

        func run() async throws {
            let definition = try ProgramFile(path: file).definition()
            try await Runtime.with(database) { runtime in
                let changes = try await runtime.service.diffProgram(program: program.program, definition)
                if output.json {
                    try printJSON(["changes": changes])
                } else if changes.isEmpty {
                    print("no changes: \(file) is what program \(program.program) runs")
                } else {
                    printTable(
                        ["CHANGE", "PATH", "NOW IN THE FILE"],
                        changes.map { [$0.kind.rawValue, $0.path, String($0.detail.prefix(100))] })
                }
            }
        }
    }
}
