import ArgumentParser
import Foundation
import RetainCore
import RetainServices

/// `retain report liability|expiring`: what the program's points are worth, and who should be reminded.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The points liability, and customers whose points expire soon.",
        subcommands: [Liability.self, Expiring.self])

    struct Liability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Outstanding points, their value, what expires each month and the expected breakage.",
            discussion: """
                Expected breakage is the points due to expire × the share of points that left wallets by expiring \
                (rather than being redeemed) in the last 12 months.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Runtime.with(database) { runtime in
                let report = try await runtime.service.liability(program: program.program)
                if output.json {
                    try printJSON(report)
                    return
                }
                let currency = Currency(code: report.currency)
                let money = { (value: Int64) in (currency?.format(value) ?? String(value)) + " " + report.currency }
                print(
                    "outstanding points  \(report.outstandingPoints) (\(report.pendingPoints) pending), worth \(money(report.outstandingValue))"
                )
                print("never expiring      \(report.nonExpiringPoints)")
                print("breakage rate       \(String(format: "%.1f", report.breakageRate * 100))% (last 12 months)")
                print("expected breakage   \(report.expectedBreakage) points, \(money(report.expectedBreakageValue))")
                print("")
                printTable(
                    ["EXPIRES IN", "POINTS", "VALUE", "EXPECTED BREAKAGE"],
                    report.expiring.map { [$0.month, String($0.points), money($0.value), String($0.expectedBreakage)] })
            }
        }
    }

    struct Expiring: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Customers with points expiring within the next days (for reminders).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Days ahead to look (1–3650).", valueName: "days"))
        var withinDays = 30

        func validate() throws {
            guard (1...3650).contains(withinDays) else { throw ValidationError("--within-days must be 1–3650") }
        }

        func run() async throws {
            try await Runtime.with(database) { runtime in
                var rows: [ExpiringPoints.Row] = []
                var after: String?
                repeat {
                    let page = try await runtime.service.expiringPoints(
                        program: program.program, withinDays: withinDays, limit: 1_000, after: after)
                    rows += page.customers
                    after = page.nextAfter
                } while after != nil
                if output.json {
                    try printJSON(ExpiringPoints(withinDays: withinDays, customers: rows, nextAfter: nil))
                } else {
                    printTable(
                        ["CUSTOMER", "POINTS", "FIRST EXPIRY"],
                        rows.map { [$0.customerID, String($0.points), RFC3339.string($0.firstExpiry)] })
                }
            }
        }
    }
}
