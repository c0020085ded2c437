import ArgumentParser
import Foundation
import RetainCore
import RetainServices

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import customers or orders from CSV (gzip or not).",
        discussion: "Importing is idempotent: running the same file again changes nothing. See docs/import.md.",
        subcommands: [Orders.self, Customers.self])

    /// Options shared by both imports: the file and how to read its columns.
    struct FileOptions: ParsableArguments {
        @Argument(help: "The CSV file (comma, semicolon or tab separated; .gz is read directly).")
        var file: String

        @Option(help: ArgumentHelp("A known layout: online-retail or cdnow.", valueName: "preset"))
        var preset: String?

        @Option(help: ArgumentHelp("Column with the customer's id in the shop.", valueName: "name"))
        var customerColumn: String?

        @Option(
            help: ArgumentHelp(
                "Field separator: comma, semicolon or tab (default: guessed from the header).", valueName: "separator"))
        var delimiter: String?

        @Flag(help: "No progress line.")
        var quiet = false

        func layoutPreset() throws -> OrderFileLayout.Preset? {
            guard let preset else { return nil }
            guard let value = OrderFileLayout.Preset(rawValue: preset) else {
                throw ValidationError(
                    "--preset must be one of: \(OrderFileLayout.Preset.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return value
        }
    }

    struct Orders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import order history, applying the program's earning rules exactly as the API would.",
            discussion: """
                Rows are grouped into orders by --order-column (without one, every row is an order). Cancellations \
                (invoices starting with --cancellation-prefix) become returns of the customer's latest earlier order \
                with that SKU. Unknown customers are created (or held, by the program's unknown_customer setting). \
                Writes go in batches of 2,000 orders per transaction; the report lists rows skipped by reason with \
                the first line numbers of each.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var input: FileOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Column with the order (invoice) id.", valueName: "name")) var orderColumn: String?
        @Option(help: ArgumentHelp("Column with the order time.", valueName: "name")) var dateColumn: String?
        @Option(
            help: ArgumentHelp(
                "Date format, e.g. yyyy-MM-dd HH:mm:ss or M/d/yyyy H:mm (default: guessed).", valueName: "format"))
        var dateFormat: String?
        @Option(help: ArgumentHelp("Column with the SKU.", valueName: "name")) var skuColumn: String?
        @Option(help: ArgumentHelp("Column with the category.", valueName: "name")) var categoryColumn: String?
        @Option(help: ArgumentHelp("Column with the quantity (with --price-column).", valueName: "name"))
        var quantityColumn: String?
        @Option(help: ArgumentHelp("Column with the unit price, in major units (2.55).", valueName: "name"))
        var priceColumn: String?
        @Option(
            help: ArgumentHelp(
                "Column with the order amount, in major units, for files without lines.", valueName: "name"))
        var amountColumn: String?
        @Option(help: ArgumentHelp("Order ids starting with this are cancellations.", valueName: "prefix"))
        var cancellationPrefix: String?
        @Option(
            help: ArgumentHelp(
                "IANA time zone of times without an offset (default: the preset's, else the program's).",
                valueName: "zone"))
        var timeZone: String?
        @Option(
            help: ArgumentHelp(
                "Orders and cancellations per transaction (1 records each on its own, as API calls do).",
                valueName: "n"))
        var batchSize = 5_000

        func validate() throws {
            guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1–100000") }
        }

        func run() async throws {
            var layout: OrderFileLayout
            if let preset = try input.layoutPreset() {
                layout = .preset(preset)
            } else {
                guard let customer = input.customerColumn, let date = dateColumn else {
                    throw ValidationError(
                        "give --preset, or at least --customer-column, --date-column and --amount-column (or --quantity-column and --price-column)"
                    )
                }
                layout = OrderFileLayout(
                    order: nil, customer: customer, date: date, dateFormat: nil, sku: nil, description: nil,
                    category: nil,
                    quantity: nil, unitPrice: nil, amount: nil, country: nil, cancellationPrefix: nil, timeZone: "",
                    currency: "")
            }
            layout.customer = input.customerColumn ?? layout.customer
            layout.date = dateColumn ?? layout.date
            layout.order = orderColumn ?? layout.order
            layout.sku = skuColumn ?? layout.sku
            layout.category = categoryColumn ?? layout.category
            layout.quantity = quantityColumn ?? layout.quantity
            layout.unitPrice = priceColumn ?? layout.unitPrice
            layout.amount = amountColumn ?? layout.amount
            layout.cancellationPrefix = cancellationPrefix ?? layout.cancellationPrefix
            layout.dateFormat = dateFormat ?? layout.dateFormat

            try await Runtime.with(database) { runtime in
                let settings = try await runtime.administration.program(program.program).settings
                if !layout.currency.isEmpty && layout.currency != settings.currency.code {
                    throw CLIError(
                        """
                        program \(program.program) earns in \(settings.currency.code) but this file is in \(layout.currency). \
                        Create a program for it, e.g.: retain programs create shop --currency \(layout.currency) \
                        --time-zone \(layout.timeZone), then import with --program shop
                        """)
                }
                let zoneName = timeZone ?? (layout.timeZone.isEmpty ? settings.timeZone : layout.timeZone)
                guard let zone = TimeZone(identifier: zoneName) else {
                    throw ValidationError("--time-zone \(zoneName) is not an IANA zone")
                }
                let timings = PhaseTimer()
                let table = try CSVTable(path: input.file, delimiter: input.delimiter)
                timings.mark("read and gunzip")
                let columns = try layout.resolve(header: table.header)
                let parseDate = try table.dateParser(column: columns.date, format: layout.dateFormat, zone: zone)
                let parser = OrderFileParser(
                    layout: layout, columns: columns, currency: settings.currency, parseDate: parseDate)
                var parsed = try parser.parse(table)
                parsed.report.notes += table.decodingNotes
                timings.mark("parse \(parsed.report.rowsRead) rows")
                let bar = ProgressBar(label: "importing orders", quiet: input.quiet || output.json)
                var importer = OrderImporter(service: runtime.service)
                importer.batchSize = batchSize
                let report = try await importer.run(
                    program: program.program, items: parsed.items, report: parsed.report,
                    progress: { done, total in bar.update(done: done, total: total) })
                timings.mark("apply rules and write \(parsed.items.count) orders and cancellations")
                BackgroundRelease.release(consume parsed)
                try ImportReportPrinter.print(report, file: input.file, json: output.json)
            }
        }
    }

    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import customers (one per distinct customer id); existing ones are left as they are.",
            discussion: "Welcome bonuses are paid as when a customer joins through the API.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var program: ProgramOption
        @OptionGroup var input: FileOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Column with the e-mail address.", valueName: "name")) var emailColumn: String?
        @Option(help: ArgumentHelp("Column with the phone number.", valueName: "name")) var phoneColumn: String?
        @Option(help: ArgumentHelp("Column with the first name.", valueName: "name")) var firstNameColumn: String?
        @Option(help: ArgumentHelp("Column with the last name.", valueName: "name")) var lastNameColumn: String?
        @Option(help: ArgumentHelp("Column with the birthday (YYYY-MM-DD).", valueName: "name")) var birthdayColumn:
            String?
        @Option(help: ArgumentHelp("Column kept as the attribute \"country\".", valueName: "name")) var countryColumn:
            String?

        func run() async throws {
            let preset = try input.layoutPreset().map(OrderFileLayout.preset)
            guard let customerColumn = input.customerColumn ?? preset?.customer else {
                throw ValidationError("give --preset or --customer-column")
            }
            try await Runtime.with(database) { runtime in
                let table = try CSVTable(path: input.file, delimiter: input.delimiter)
                let header = table.header.map { $0.lowercased() }
                func column(_ name: String?) throws -> Int? {
                    guard let name else { return nil }
                    guard let index = header.firstIndex(of: name.lowercased()) else {
                        throw CLIError(
                            "the file has no column \"\(name)\"; its columns are: \(table.header.joined(separator: ", "))"
                        )
                    }
                    return index
                }
                let idColumn = try column(customerColumn)!
                let mapped = (
                    email: try column(emailColumn), phone: try column(phoneColumn), first: try column(firstNameColumn),
                    last: try column(lastNameColumn), birthday: try column(birthdayColumn),
                    country: try column(countryColumn ?? preset?.country)
                )
                var report = ImportReport()
                var rows: [(line: Int, fields: CustomerFields)] = []
                var seen = Set<String>()
                try table.forEachRecord { line, fields in
                    report.rowsRead += 1
                    guard fields.count == table.header.count else { return report.skip(.malformed, line: line) }
                    let id = fields[idColumn].trimmingCharacters(in: .whitespaces)
                    guard !id.isEmpty else { return report.skip(.noCustomer, line: line) }
                    guard seen.insert(id).inserted else { return report.skip(.duplicate, line: line) }
                    var customer = CustomerFields()
                    customer.externalID = id
                    func value(_ index: Int?) -> String? {
                        index.map { fields[$0].trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
                    }
                    customer.email = value(mapped.email)
                    customer.phone = value(mapped.phone)
                    customer.firstName = value(mapped.first)
                    customer.lastName = value(mapped.last)
                    customer.birthday = value(mapped.birthday)
                    if let country = value(mapped.country) { customer.attributes = ["country": .string(country)] }
                    rows.append((line, customer))
                }
                report.notes += table.decodingNotes
                let bar = ProgressBar(label: "importing customers", quiet: input.quiet || output.json)
                let result = try await CustomerImporter(service: runtime.service).run(
                    program: program.program, rows: rows, report: report,
                    progress: { done, total in bar.update(done: done, total: total) })
                try ImportReportPrinter.print(result, file: input.file, json: output.json)
            }
        }
    }
}

/// The end-of-import report, for people or (`--json`) programs.
enum ImportReportPrinter {
    static func print(_ report: ImportReport, file: String, json: Bool) throws {
        if json { return try printJSON(report) }
        Swift.print(
            """

            \(file)
              rows read               \(report.rowsRead)
              orders recorded         \(report.ordersRecorded)\(report.ordersAlreadyImported > 0 ? "   (\(report.ordersAlreadyImported) already imported, unchanged)" : "")
              returns recorded        \(report.returnsRecorded)\(report.returnsAlreadyImported > 0 ? "   (\(report.returnsAlreadyImported) already imported, unchanged)" : "")
              customers created       \(report.customersCreated)\(report.customersAlreadyKnown > 0 ? "   (\(report.customersAlreadyKnown) already known, unchanged)" : "")
              points awarded          \(report.pointsAwarded)
              points reversed         \(report.pointsReversed)
              rows skipped            \(report.rowsSkipped)
            """)
        for reason in SkipReason.allCases {
            guard let skips = report.skipped[reason.rawValue] else { continue }
            let lines = skips.firstLines.map(String.init).joined(separator: ", ")
            Swift.print(
                "    \(reason.rawValue.padding(toLength: 36, withPad: " ", startingAt: 0)) \(String(skips.rows).padding(toLength: 8, withPad: " ", startingAt: 0)) first at line \(lines) — \(reason.explanation)"
            )
        }
        for note in report.notes { Swift.print("  note: \(note)") }
    }
}
