import ArgumentParser
import Foundation
import RetainCore
import RetainServices

struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Look at one customer.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a customer's profile, wallet and latest ledger entries.",
            discussion: "ID is a Retain id (cus_…) or external_id:…, email:…, phone:…, card:….")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        @Argument(help: "The customer.")
        var id: String

        @Option(help: "How many ledger entries to show.")
        var entries: Int = 10

        func run() async throws {
            try await Runtime.with(database) { runtime in
                let view = try await runtime.service.customer(program: program.program, id: id)
                let ledger = try await runtime.service.ledger(
                    program: program.program, customerID: view.customer.id, limit: max(1, min(entries, 200)),
                    before: nil)
                if output.json {
                    try printJSON(CustomerReport(customer: view.customer, wallet: view.wallet, ledger: ledger.entries))
                    return
                }
                let customer = view.customer
                let wallet = view.wallet
                let name = [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " ")
                print("\(customer.id)\(name.isEmpty ? "" : "  \(name)")")
                for (label, value) in [
                    ("external id", customer.externalID), ("card", customer.cardNumber),
                    ("email", customer.email), ("phone", customer.phone),
                    ("birthday", customer.birthday), ("time zone", customer.timeZone),
                ]
                where value != nil {
                    print("  \(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(value!)")
                }
                if !customer.tags.isEmpty { print("  tags         \(customer.tags.joined(separator: ", "))") }
                print("")
                print(
                    "  balance \(wallet.balance)   available \(wallet.available) (worth \(wallet.availableValue) minor units \(wallet.currency))   pending \(wallet.pending)"
                )
                for expiry in wallet.nextExpiries { print("  expires \(expiry.date): \(expiry.points)") }
                print("")
                printTable(
                    ["AT", "KIND", "POINTS", "REASON"],
                    ledger.entries.map {
                        [RFC3339.string($0.at), $0.kind.rawValue, String($0.points), $0.reason]
                    })
            }
        }
    }
}

struct CustomerReport: Encodable {
    let customer: Customer
    let wallet: WalletSummary
    let ledger: [LedgerEntry]
}

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Load earning rules from a file, or export them.",
        subcommands: [Load.self, Export.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the program's earning rules with those in a JSON file ({\"rules\": [...]}).",
            discussion: "Every rule is checked first; if any is invalid nothing changes and each problem is listed.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption

        @Argument(help: "The rules file.")
        var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(file): cannot read the file")
            }
            let set: RuleSet
            do {
                set = try APIJSON.makeDecoder().decode(RuleSet.self, from: data)
            } catch let error as DecodingError {
                throw CLIError("\(file): \(describe(error, in: data))")
            }
            try await Runtime.with(database) { runtime in
                do {
                    let rules = try await runtime.service.replaceRules(program: program.program, set, actor: "cli")
                    print("loaded \(rules.count) rules into program \(program.program)")
                } catch DomainError.invalid(let issues) {
                    throw CLIError(
                        "\(file): invalid rules, nothing changed:\n"
                            + issues.map { "  \($0.field): \($0.reason)" }.joined(separator: "\n"))
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the program's earning rules as JSON.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption

        func run() async throws {
            try await Runtime.with(database) { runtime in
                try printJSON(RuleSet(rules: try await runtime.service.rules(program: program.program)))
            }
        }
    }
}

/// A JSON decoding error as "line L, column C: what".
func describe(_ error: DecodingError, in data: Data) -> String {
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
        // JSONDecoder does not say where; JSONSerialization does ("around character N").
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            if let range = message.range(of: #"character (\d+)"#, options: .regularExpression),
                let offset = Int(message[range].dropFirst("character ".count))
            {
                let prefix = [UInt8](data.prefix(offset))
                let line = prefix.filter { $0 == 10 }.count + 1
                let column = offset - (prefix.lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
                return "line \(line), column \(column): not valid JSON (\(message))"
            }
            if message.contains("end of file") {
                let lines = data.split(separator: 10, omittingEmptySubsequences: false)
                return
                    "line \(lines.count), column \((lines.last?.count ?? 0) + 1): not valid JSON (the file ends early)"
            }
            return "not valid JSON: \(message)"
        }
        return "not valid JSON: \(context.debugDescription)"
    case .dataCorrupted(let context):
        return "\(codingPath(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "\(codingPath(context.codingPath + [key])): is required"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
        return "\(codingPath(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}

/// A decoding path as the API names fields: `rules[2].points`.
func codingPath(_ keys: [any CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
        in: CharacterSet(charactersIn: "."))
}

struct ExpireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Write off expired points and run due tier reviews (the job `retain serve` runs every hour).",
        discussion: """
            Safe to run at any time and more than once: each lot is expired exactly once, each tier review is done once, and a run after downtime catches up.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Run now (the default; kept for scripts that say so).")
    var now = false

    @Option(help: ArgumentHelp("Only this program (default: all).", valueName: "id"))
    var program: String?

    @Option(
        help: ArgumentHelp(
            "Run as of this time instead of now (RFC 3339), e.g. to settle a replayed history at its last day.",
            valueName: "time"))
    var asOf: String?

    func run() async throws {
        var time: Date?
        if let asOf {
            guard let parsed = RFC3339.parse(asOf) else {
                throw ValidationError("--as-of \(asOf) is not a time like 2026-11-23T09:30:00Z")
            }
            time = parsed
        }
        try await Runtime.with(database) { runtime in
            var programs = try await runtime.administration.programs().map(\.id)
            if let program { programs = [program] }
            var reports: [String: ExpiryReport] = [:]
            for id in programs { reports[id] = try await runtime.service.expirePoints(program: id, asOf: time) }
            if output.json {
                try printJSON(reports)
            } else {
                printTable(
                    ["PROGRAM", "CUSTOMERS", "LOTS EXPIRED", "POINTS", "TIER REVIEWS", "TIER CHANGES"],
                    reports.sorted { $0.key < $1.key }.map {
                        [
                            $0.key, String($0.value.customers), String($0.value.entries), String($0.value.points),
                            String($0.value.tiersReviewed), String($0.value.tierChanges),
                        ]
                    })
            }
        }
    }
}
