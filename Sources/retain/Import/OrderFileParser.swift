import Foundation
import RetainAnalytics
import RetainCore
import RetainServices

/// Turns the rows of a transaction file into orders and cancellations, with the rules a careful analyst applies,
/// checked in this order for each row:
/// 1. `malformed` — wrong number of fields, or a quantity, price or date that cannot be read. A malformed row
///    takes its whole order with it (all the order's rows are counted as malformed), so no order is imported
///    with a line missing.
/// 2. `duplicate` — a row identical to an earlier row, field for field.
/// 3. `no_customer` — the customer column is empty.
/// 4. `zero_price` — unit price (or amount) 0 after rounding to the currency's minor unit (prices with more
///    decimals, such as 0.001 GBP, are rounded half to even, and counted in a note).
/// 5. `negative_quantity_not_cancellation` — a negative quantity on an order that is not a cancellation.
/// Orders are grouped by the order column (all rows of one id are one order, at the time and for the customer of
/// its first row); without an order column every row is one order, with id `customer-date-n` (n counts the
/// customer's rows on that date, so re-importing the same file gives the same ids).
struct OrderFileParser: Sendable {
    let layout: OrderFileLayout
    let columns: ResolvedColumns
    let currency: Currency
    let parseDate: @Sendable (String) throws -> Date

    struct Output {
        var items: [ImportItem] = []
        var report = ImportReport()
    }

    /// A record as read on its own, before the rules that depend on the records before it (duplicates, grouping).
    /// Reading is most of the work and runs on all cores; the rest runs in file order.
    struct ReadRow: Sendable {
        enum Content: Sendable {
            /// Not as many fields as the header.
            case wrongFieldCount
            case noCustomer
            /// A quantity, price or date that cannot be read.
            case unreadable(String)
            case fields(RowFields)
        }

        var line: Int
        var orderKey: String?
        /// Of all the fields, to find exact repeats.
        var hash: Int
        var content: Content
    }

    struct RowFields: Sendable {
        var customer: String
        var dateText: String
        var at: Date
        var quantity: Int64
        var price: Int64
        var amount: Int64?
        var priceRounded: Bool
        var sku: String?
        var category: String?
        var name: String?
    }

    private struct Group {
        var id: String
        var firstLine: Int
        var customer: String
        var at: Date
        var lines: [OrderLine] = []
        var cancelled: [(sku: String, quantity: Int64, line: Int)] = []
        var rowCount = 0
        var amount: Int64?
        var isCancellation: Bool
    }

    /// The last date text read and its time: the rows of one order share their date, so most rows skip parsing it.
    struct LastDate {
        var text = ""
        var at: Date?
    }

    /// Reads one record (pure but for `lastDate`, which each thread keeps its own of).
    func read(line: Int, fields: [String], fieldCount: Int, lastDate: inout LastDate) -> ReadRow {
        let orderKey = columns.order.flatMap { $0 < fields.count ? fields[$0].trimmingASCIISpaces : nil }
        var row = ReadRow(line: line, orderKey: orderKey, hash: 0, content: .wrongFieldCount)
        guard fields.count == fieldCount else { return row }
        row.hash = FieldsHash.of(fields)
        let customer = fields[columns.customer].trimmingASCIISpaces
        guard !customer.isEmpty else {
            row.content = .noCustomer
            return row
        }
        let dateText = fields[columns.date].trimmingASCIISpaces
        do {
            var quantity: Int64 = 1
            var price: Int64 = 0
            var amount: Int64?
            let at: Date
            if let known = lastDate.at, lastDate.text == dateText {
                at = known
            } else {
                at = try parseDate(dateText)
                lastDate = LastDate(text: dateText, at: at)
            }
            if let column = columns.quantity, columns.unitPrice != nil {
                quantity = try ImportNumbers.integer(fields[column])
            }
            if let column = columns.unitPrice {
                price = try ImportNumbers.minorUnits(fields[column], exponent: currency.exponent)
            }
            if let column = columns.amount {
                amount = try ImportNumbers.minorUnits(fields[column], exponent: currency.exponent)
            }
            let rounded = (columns.unitPrice ?? columns.amount).map {
                ImportNumbers.hasExcessDecimals(fields[$0], currency.exponent)
            }
            row.content = .fields(
                RowFields(
                    customer: customer, dateText: dateText, at: at, quantity: quantity, price: price, amount: amount,
                    priceRounded: rounded ?? false, sku: columns.sku.map { fields[$0].trimmingASCIISpaces },
                    category: columns.category.map { fields[$0] }, name: columns.description.map { fields[$0] }))
        } catch {
            row.content = .unreadable("\(error)")
        }
        return row
    }

    /// The orders and cancellations of the file, and the report of the rows left out: each record read on all cores
    /// (`read`), then grouped in file order (`Grouping`).
    func parse(_ table: CSVTable) throws -> Output {
        let fieldCount = table.header.count
        // Online Retail's rows are about 80 bytes; the guess only sizes the set of rows seen.
        var grouping = Grouping(self, expectedRows: table.byteCount / 80)
        try table.readRecords({
            var lastDate = LastDate()
            return { read(line: $0, fields: $1, fieldCount: fieldCount, lastDate: &lastDate) }
        }) { grouping.add($0) }
        return grouping.finish()
    }

    /// Applies the rules above to the rows in file order, a part of the file at a time (see
    /// `CSVTable.readRecords`), and groups them into orders and cancellations.
    struct Grouping {
        let parser: OrderFileParser
        private var output = Output()
        // Rows are remembered by a 64-bit hash of their fields: exact for any file that fits in memory in
        // practice (a false match needs a 64-bit collision, ~10⁻⁸ for a million rows) at a tenth of the memory.
        private var seen: Set<Int>
        // Groups in order of first appearance, and where each one is; a file's rows of one order usually follow
        // each other, so the last group is tried before the dictionary.
        private var groups: [Group] = []
        private var groupIndex: [String: Int] = [:]
        private var poisoned: [String: Int] = [:]
        private var perCustomerDay: [String: Int] = [:]
        private var roundedPrices = 0

        init(_ parser: OrderFileParser, expectedRows: Int) {
            self.parser = parser
            seen = Set(minimumCapacity: expectedRows)
        }

        mutating func add(_ rows: [ReadRow]) {
            for row in rows { add(row) }
        }

        private mutating func add(_ row: ReadRow) {
            let line = row.line
            output.report.rowsRead += 1
            if case .wrongFieldCount = row.content {
                output.report.skip(.malformed, line: line)
                if let orderKey = row.orderKey { poisoned[orderKey, default: 0] += 1 }
                return
            }
            guard seen.insert(row.hash).inserted else {
                output.report.skip(.duplicate, line: line)
                return
            }
            let fields: RowFields
            switch row.content {
            case .wrongFieldCount:
                return
            case .noCustomer:
                output.report.skip(.noCustomer, line: line)
                return
            case .unreadable(let reason):
                output.report.skip(.malformed, line: line)
                if output.report.notes.count < 10 { output.report.notes.append("line \(line): \(reason)") }
                if let orderKey = row.orderKey { poisoned[orderKey, default: 0] += 1 }
                return
            case .fields(let read):
                fields = read
            }
            if fields.priceRounded { roundedPrices += 1 }
            if (fields.amount ?? fields.price) == 0 {
                output.report.skip(.zeroPrice, line: line)
                return
            }
            let orderID: String
            if let orderKey = row.orderKey {
                orderID = orderKey
            } else {
                let dayKey = "\(fields.customer)-\(fields.dateText)"
                let n = perCustomerDay[dayKey, default: 0] + 1
                perCustomerDay[dayKey] = n
                orderID = "\(dayKey)-\(n)"
            }
            let isCancellation = parser.layout.cancellationPrefix.map { orderID.hasPrefix($0) } ?? false
            if fields.quantity < 0 && !isCancellation {
                output.report.skip(.negativeWithoutCancellation, line: line)
                return
            }
            let index: Int
            if let last = groups.indices.last, groups[last].id == orderID {
                index = last
            } else if let known = groupIndex[orderID] {
                index = known
            } else {
                index = groups.count
                groupIndex[orderID] = index
                groups.append(
                    Group(
                        id: orderID, firstLine: line, customer: fields.customer, at: fields.at,
                        isCancellation: isCancellation))
            }
            groups[index].rowCount += 1
            if isCancellation {
                groups[index].cancelled.append((fields.sku ?? "", -fields.quantity, line))
            } else if let amount = fields.amount {
                groups[index].amount = (groups[index].amount ?? 0) + amount
            } else {
                groups[index].lines.append(
                    OrderLine(
                        sku: fields.sku, category: fields.category, name: fields.name, quantity: fields.quantity,
                        unitPrice: fields.price))
            }
        }

        /// The orders and cancellations of all the rows added, and the report of the rows left out.
        consuming func finish() -> Output {
            let currency = parser.currency
            if roundedPrices > 0 {
                output.report.notes.append(
                    "\(roundedPrices) prices had more than \(currency.exponent) decimals and were rounded half to even to \(currency.code) minor units"
                )
            }
            for group in groups {
                let id = group.id
                if poisoned[id] != nil {
                    output.report.skip(.malformed, line: group.firstLine, rows: group.rowCount)
                    continue
                }
                let reference = CustomerReference(externalID: group.customer)
                if group.isCancellation {
                    output.items.append(
                        .cancellation(
                            ImportCancellation(id: id, customer: reference, at: group.at, lines: group.cancelled)))
                } else {
                    output.items.append(
                        .order(
                            OrderInput(
                                orderID: id, customer: reference, placedAt: group.at, currency: currency.code,
                                lines: group.lines, total: group.amount),
                            firstLine: group.firstLine))
                }
            }
            // The groups, the rows seen and the lookups are freed beside what follows (moved out first, so that the
            // background thread holds the only reference).
            let remnants = (groups, seen, groupIndex, poisoned, perCustomerDay)
            groups = []
            seen = []
            groupIndex = [:]
            poisoned = [:]
            perCustomerDay = [:]
            BackgroundRelease.release(remnants)
            return output
        }
    }
}
