import ArgumentParser
import Foundation
import RetainAnalytics
import RetainCore
import RetainServices
import RetainStore

/// `retain analyze FILE` or `retain analyze --database PATH`: retention analytics and predicted customer value from
/// any transaction log, or from a program's own orders.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Retention, cohorts, RFM, BG/NBD and Gamma-Gamma, CLV and the at-risk list from a transaction log.",
        discussion: """
            Reads a CSV log (gzip or not; comma, semicolon or tab) with one row per purchase or order line. Columns \
            come from --preset, from --…-column options, or are guessed from the header (the guess is printed). \
            Definitions, tie rules and every JSON key are in docs/analytics.md.

            With --database instead of FILE, the log is a program's own orders in Retain's store: one purchase per \
            order with a customer, on the day it was placed in the program's time zone, worth what was paid less \
            what was returned; unmatched and fully returned orders are left out and counted.

            Examples:
              retain analyze ../shared/data/cdnow_master_1997-1998.csv.gz --preset cdnow
              retain analyze sales.csv --customer-column client --date-column day --amount-column total --json
              retain analyze log.csv.gz --calibration-end 1997-09-30 --customers-out customers.csv --html report.html
              retain analyze --database retain.sqlite --program default --html report.html
            """)

    @Argument(help: "The transaction log (CSV, .gz read directly).")
    var file: String?

    @Option(
        help: ArgumentHelp(
            "Analyse the orders in this Retain database (an SQLite file that must exist, or a postgres:// URL) instead of a FILE.",
            valueName: "path|url"))
    var database: String?

    @Option(help: ArgumentHelp("With --database: the program (workspace) id.", valueName: "id"))
    var program: String = "default"

    @OptionGroup var layout: LogLayoutOptions
    @OptionGroup var rules: LogRuleOptions
    @OptionGroup var analysis: AnalysisFlags

    @Flag(help: "Print one JSON document (keys in docs/analytics.md) instead of tables.")
    var json = false

    @Option(help: ArgumentHelp("Write one row per customer to this CSV file.", valueName: "file"))
    var customersOut: String?

    @Option(help: ArgumentHelp("Write a self-contained HTML report (charts included) to this file.", valueName: "file"))
    var html: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(help: "Print the time of each phase to standard error at the end (for benchmarks).")
    var timings = false

    func validate() throws {
        _ = try layout.layout()
        _ = try rules.rules()
        _ = try analysis.options()
        switch (file, database) {
        case (nil, nil): throw ValidationError("give a transaction log FILE, or --database PATH to analyse a store")
        case (.some, .some): throw ValidationError("give either a FILE or --database, not both")
        case (nil, .some):
            if layout.isGiven {
                throw ValidationError("column, preset and format options describe a FILE; --database needs none")
            }
            if rules.returns != "exclude" {
                throw ValidationError("--returns applies to a FILE; with --database, returns are netted per order")
            }
        case (.some, nil):
            if program != "default" { throw ValidationError("--program goes with --database") }
        }
    }

    func run() async throws {
        let started = Date()
        let progress = AnalyzeProgress(quiet: quiet)
        let (log, source) =
            if let database { try await storeLog(database, progress: progress) } else { try fileLog(progress) }
        let (report, table) = Analysis.run(log, options: try analysis.options(), file: source) { progress.phase($0) }
        if let customersOut {
            progress.phase("writing \(customersOut)")
            try CustomerCSV.write(table, to: customersOut)
        }
        if let html {
            progress.phase("writing \(html)")
            try Data(HTMLReport.render(report).utf8).write(to: URL(fileURLWithPath: html))
        }
        progress.finish(seconds: Date().timeIntervalSince(started), timings: timings)
        if json {
            print(String(decoding: try report.json(), as: UTF8.self))
        } else {
            AnalysisText.print(report)
        }
    }

    private func fileLog(_ progress: AnalyzeProgress) throws -> (TransactionLog, String) {
        let file = file ?? ""
        progress.phase("reading \(file)")
        let reader = TransactionLogReader(layout: try layout.layout(), delimiter: try layout.delimiterByte())
        let log: TransactionLog
        do {
            log = try TransactionLog.read(InputFile.bytes(file), reader: reader, rules: try rules.rules()) { fraction in
                progress.fraction(fraction)
            }
        } catch let error as TransactionLogError {
            throw CLIError("\(file): \(error)")
        } catch let error as DelimitedTextError {
            throw CLIError("\(file): \(error)")
        }
        guard log.customerCount > 0 else {
            throw CLIError(
                "\(file): no transactions with a customer to analyse (\(log.quality.rowsRead) rows read, "
                    + "\(log.quality.rowsWithoutCustomer) without a customer, \(log.quality.unreadableRows) unreadable)"
            )
        }
        return (log, file)
    }

    /// The program's orders, read from an existing database (never created here).
    private func storeLog(_ path: String, progress: AnalyzeProgress) async throws -> (TransactionLog, String) {
        if case .sqlite(let file)? = try? DatabaseLocation(path), !FileManager.default.fileExists(atPath: file) {
            throw CLIError("\(path): no such database; give the file `retain serve` or `retain import` uses")
        }
        progress.phase("reading the orders of program \(program)")
        let rules = try rules.rules()
        let (log, counts) = try await Runtime.with(try DatabaseOptions.parse(["--database", path])) { runtime in
            do {
                return try await runtime.service.purchaseLog(program: program, rules: rules) { read in
                    progress.count(read, of: "orders")
                }
            } catch DomainError.notFound {
                throw CLIError("\(path) has no program \(program); `retain programs list` shows them")
            }
        }
        guard let log else {
            throw CLIError(
                "program \(program) in \(path) has no purchases to analyse (\(counts.orders) orders, "
                    + "\(counts.unmatched) unmatched, \(counts.fullyReturned) fully returned)")
        }
        return (log, "\(path), program \(program)")
    }
}

/// Which columns mean what.
struct LogLayoutOptions: ParsableArguments {
    /// Whether any option was given (they describe a file, not a store).
    var isGiven: Bool {
        [
            preset, customerColumn, dateColumn, amountColumn, quantityColumn, priceColumn, orderColumn, dateFormat,
            returnPrefix, delimiter,
        ].contains { $0 != nil }
    }

    @Option(
        help: ArgumentHelp(
            "A known layout: cdnow or online-retail (columns found by header name).", valueName: "preset"))
    var preset: String?
    @Option(help: ArgumentHelp("Column with the customer id.", valueName: "name")) var customerColumn: String?
    @Option(help: ArgumentHelp("Column with the date (or date and time).", valueName: "name")) var dateColumn: String?
    @Option(help: ArgumentHelp("Column with the money of the row, in major units (12.50).", valueName: "name"))
    var amountColumn: String?
    @Option(help: ArgumentHelp("Column with the quantity (amount = quantity × price).", valueName: "name"))
    var quantityColumn: String?
    @Option(help: ArgumentHelp("Column with the unit price (with --quantity-column).", valueName: "name"))
    var priceColumn: String?
    @Option(help: ArgumentHelp("Column with the order id: rows of one order are one transaction.", valueName: "name"))
    var orderColumn: String?
    @Option(
        help: ArgumentHelp(
            "Date format, e.g. yyyy-MM-dd, yyyyMMdd, M/d/yyyy H:mm, d.M.yyyy (default: guessed and stated).",
            valueName: "format"))
    var dateFormat: String?
    @Option(help: ArgumentHelp("Order ids starting with this are returns (online-retail: C).", valueName: "prefix"))
    var returnPrefix: String?
    @Option(help: ArgumentHelp("Field separator: comma, semicolon or tab (default: guessed).", valueName: "separator"))
    var delimiter: String?

    /// The layout asked for; nil = guess from the header.
    func layout() throws -> TransactionLogLayout? {
        var layout: TransactionLogLayout?
        if let preset {
            guard let value = TransactionLogLayout.Preset(rawValue: preset) else {
                throw ValidationError(
                    "--preset must be one of: \(TransactionLogLayout.Preset.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            layout = .preset(value)
        }
        let mapped = [customerColumn, dateColumn, amountColumn, quantityColumn, priceColumn, orderColumn].contains {
            $0 != nil
        }
        if layout == nil && mapped {
            guard let customerColumn, let dateColumn else {
                throw ValidationError("mapping columns by hand needs at least --customer-column and --date-column")
            }
            layout = TransactionLogLayout(customer: customerColumn, date: dateColumn, source: "given by options")
        }
        guard var layout else {
            if dateFormat != nil || returnPrefix != nil {
                throw ValidationError("--date-format and --return-prefix need a --preset or --…-column mapping")
            }
            return nil
        }
        if let customerColumn { layout.customer = customerColumn }
        if let dateColumn { layout.date = dateColumn }
        if let amountColumn {
            layout.amount = amountColumn
            if priceColumn == nil { layout.price = nil }
        }
        if let quantityColumn { layout.quantity = quantityColumn }
        if let priceColumn {
            layout.price = priceColumn
            if amountColumn == nil { layout.amount = nil }
        }
        if let orderColumn { layout.order = orderColumn }
        if let dateFormat { layout.dateFormat = dateFormat }
        if let returnPrefix { layout.returnPrefix = returnPrefix }
        if preset != nil && mapped { layout.source += " with options" }
        return layout
    }

    func delimiterByte() throws -> UInt8? {
        switch delimiter {
        case nil: return nil
        case "comma", ",": return 44
        case "semicolon", ";": return 59
        case "tab", "\t": return 9
        default: throw ValidationError("--delimiter must be comma, semicolon or tab")
        }
    }
}

/// The cleaning rules.
struct LogRuleOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Returns and cancellations: exclude (default) or net (subtract their money).", valueName: "rule"))
    var returns = "exclude"
    @Option(
        help: ArgumentHelp(
            "Exact duplicate rows: auto (drop when there is an order column), drop or keep.", valueName: "rule"))
    var duplicates = "auto"
    @Option(
        help: ArgumentHelp("Several transactions of a customer on one day: keep (default) or merge.", valueName: "rule")
    )
    var sameDay = "keep"
    @Option(help: ArgumentHelp("Rows with zero money: keep (default) or drop.", valueName: "rule"))
    var zeroAmounts = "keep"

    func rules() throws -> CleaningRules {
        func pick<T: RawRepresentable & CaseIterable>(_ value: String, _ option: String) throws -> T
        where T.RawValue == String {
            guard let rule = T(rawValue: value) else {
                throw ValidationError(
                    "--\(option) must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return rule
        }
        return CleaningRules(
            returns: try pick(returns, "returns"), duplicates: try pick(duplicates, "duplicates"),
            sameDay: try pick(sameDay, "same-day"), zeroAmounts: try pick(zeroAmounts, "zero-amounts"))
    }
}

/// What to compute.
struct AnalysisFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Period grid of the metrics and cohorts: week, month (default), quarter or year.", valueName: "unit"))
    var period = "month"
    @Option(
        help: ArgumentHelp(
            "A customer is active at t when they bought within this many days before t.", valueName: "days"))
    var activityWindow = 90
    @Option(
        help: ArgumentHelp(
            "RFM tie rule: ntile (equal groups, default) or shared (equal values, equal score).", valueName: "rule"))
    var rfmTies = "ntile"
    @Option(help: ArgumentHelp("Time unit of the models: week (default) or day.", valueName: "unit"))
    var timeUnit = "week"
    @Option(help: ArgumentHelp("Prediction horizon in the time unit (default: one year).", valueName: "n"))
    var horizon: Double?
    @Option(help: ArgumentHelp("Yearly discount rate of the predicted CLV (default 0.10).", valueName: "rate"))
    var discountRate = 0.10
    @Option(help: ArgumentHelp("Profit margin for the CLV, 0–1 (default: CLV in revenue).", valueName: "share"))
    var margin: Double?
    @Option(
        help: ArgumentHelp(
            "Fit on purchases up to this date (YYYY-MM-DD) and compare with the rest.", valueName: "date"))
    var calibrationEnd: String?
    @Option(
        help: ArgumentHelp(
            "Expected customer lifetime of the simple CLV (default: 1 ÷ yearly churn).", valueName: "years"))
    var lifetimeYears: Double?
    @Option(
        help: ArgumentHelp("At-risk list: repeat customers with P(alive) below this (default 0.5).", valueName: "p"))
    var atRiskBelow = 0.5
    @Option(help: ArgumentHelp("Length of the at-risk list (default 100).", valueName: "n"))
    var atRiskLimit = 100
    @Flag(help: "Skip the models (BG/NBD, Gamma-Gamma, predictions, at-risk list).")
    var noModels = false

    func options() throws -> AnalysisOptions {
        var options = AnalysisOptions()
        guard let period = PeriodUnit(rawValue: period) else {
            throw ValidationError("--period must be week, month, quarter or year")
        }
        options.period = period
        guard (1...3650).contains(activityWindow) else {
            throw ValidationError("--activity-window must be 1–3650 days")
        }
        options.activityWindowDays = activityWindow
        guard let ties = RFMScores.TieRule(rawValue: rfmTies) else {
            throw ValidationError("--rfm-ties must be ntile or shared")
        }
        options.rfmTies = ties
        guard let unit = AnalysisOptions.TimeUnit(rawValue: timeUnit) else {
            throw ValidationError("--time-unit must be week or day")
        }
        options.timeUnit = unit
        if let horizon {
            guard horizon > 0 && horizon <= 10_000 else {
                throw ValidationError("--horizon must be above 0 (in \(timeUnit)s)")
            }
            options.horizon = horizon
        }
        guard discountRate >= 0 && discountRate < 10 else {
            throw ValidationError("--discount-rate must be 0 or more (0.10 = 10% a year)")
        }
        options.discountRate = discountRate
        if let margin {
            guard margin > 0 && margin <= 1 else { throw ValidationError("--margin must be above 0 and at most 1") }
            options.margin = margin
        }
        if let calibrationEnd {
            guard let day = CivilDay.parse(calibrationEnd) else {
                throw ValidationError("--calibration-end must be a date like 1997-09-30")
            }
            options.calibrationEnd = day
        }
        if let lifetimeYears {
            guard lifetimeYears > 0 && lifetimeYears <= 100 else {
                throw ValidationError("--lifetime-years must be above 0")
            }
            options.lifetimeYears = lifetimeYears
        }
        guard atRiskBelow > 0 && atRiskBelow <= 1 else {
            throw ValidationError("--at-risk-below must be above 0 and at most 1")
        }
        options.atRiskBelow = atRiskBelow
        options.atRiskAbove = min(options.atRiskAbove, atRiskBelow / 2)
        guard atRiskLimit >= 0 else { throw ValidationError("--at-risk-limit must be 0 or more") }
        options.atRiskLimit = atRiskLimit
        options.models = !noModels
        return options
    }
}
