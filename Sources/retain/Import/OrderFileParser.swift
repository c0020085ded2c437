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
struct OrderFileParser {
    let layout: OrderFileLayout
    let columns: ResolvedColumns
    let currency: Currency
    let parseDate: (String) throws -> Date

    struct Output {
        var items: [ImportItem] = []
        var report = ImportReport()
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

    func parse(records: ((_ body: (Int, [String]) throws -> Void) throws -> Void), fieldCount: Int) throws -> Output {
        var output = Output()
        // Rows are remembered by a 64-bit hash of their fields: exact for any file that fits in memory in
        // practice (a false match needs a 64-bit collision, ~10⁻⁸ for a million rows) at a tenth of the memory.
        var seen = Set<Int>()
        var groups: [String: Group] = [:]
        var groupOrder: [String] = []
        var poisoned: [String: Int] = [:]
        var perCustomerDay: [String: Int] = [:]
        var roundedPrices = 0

        try records { line, fields in
            output.report.rowsRead += 1
            let orderKey = columns.order.flatMap { $0 < fields.count ? String(fields[$0].trimmedASCIISpaces) : nil }
            guard fields.count == fieldCount else {
                output.report.skip(.malformed, line: line)
                if let orderKey { poisoned[orderKey, default: 0] += 1 }
                return
            }
            guard seen.insert(fields.hashValue).inserted else {
                output.report.skip(.duplicate, line: line)
                return
            }
            let customer = String(fields[columns.customer].trimmedASCIISpaces)
            guard !customer.isEmpty else {
                output.report.skip(.noCustomer, line: line)
                return
            }
            let dateText = String(fields[columns.date].trimmedASCIISpaces)
            let at: Date
            var quantity: Int64 = 1
            var price: Int64 = 0
            var amount: Int64?
            do {
                at = try parseDate(dateText)
                if let column = columns.quantity, columns.unitPrice != nil {
                    quantity = try ImportNumbers.integer(fields[column])
                }
                if let column = columns.unitPrice {
                    price = try ImportNumbers.minorUnits(fields[column], exponent: currency.exponent)
                }
                if let column = columns.amount {
                    amount = try ImportNumbers.minorUnits(fields[column], exponent: currency.exponent)
                }
                if let column = columns.unitPrice ?? columns.amount,
                    ImportNumbers.hasExcessDecimals(fields[column], currency.exponent)
                {
                    roundedPrices += 1
                }
            } catch {
                output.report.skip(.malformed, line: line)
                if output.report.notes.count < 10 { output.report.notes.append("line \(line): \(error)") }
                if let orderKey { poisoned[orderKey, default: 0] += 1 }
                return
            }
            if (amount ?? price) == 0 {
                output.report.skip(.zeroPrice, line: line)
                return
            }
            let orderID: String
            if let orderKey {
                orderID = orderKey
            } else {
                let dayKey = "\(customer)-\(dateText)"
                let n = perCustomerDay[dayKey, default: 0] + 1
                perCustomerDay[dayKey] = n
                orderID = "\(dayKey)-\(n)"
            }
            let isCancellation = layout.cancellationPrefix.map { orderID.hasPrefix($0) } ?? false
            if quantity < 0 && !isCancellation {
                output.report.skip(.negativeWithoutCancellation, line: line)
                return
            }
            if groups[orderID] == nil {
                groups[orderID] = Group(
                    id: orderID, firstLine: line, customer: customer, at: at, isCancellation: isCancellation)
                groupOrder.append(orderID)
            }
            groups[orderID]!.rowCount += 1
            let sku = columns.sku.map { String(fields[$0].trimmedASCIISpaces) }
            if isCancellation {
                groups[orderID]!.cancelled.append((sku ?? "", -quantity, line))
            } else if let amount {
                groups[orderID]!.amount = (groups[orderID]!.amount ?? 0) + amount
            } else {
                groups[orderID]!.lines.append(
                    OrderLine(
                        sku: sku, category: columns.category.map { fields[$0] },
                        name: columns.description.map { fields[$0] },
                        quantity: quantity, unitPrice: price))
            }
        }

        if roundedPrices > 0 {
            output.report.notes.append(
                "\(roundedPrices) prices had more than \(currency.exponent) decimals and were rounded half to even to \(currency.code) minor units"
            )
        }
        for id in groupOrder {
            let group = groups[id]!
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
        return output
    }
}
