/// The hot loop of `TransactionLogReader`: splits rows into fields and reads only the mapped ones.
struct RowPlan: Sendable {
    let columns: ResolvedLogColumns
    let delimiter: UInt8
    let dates: LogDateReader
    let returnPrefix: [UInt8]?
    let commaDecimal: Bool

    private enum Role: Int { case customer, date, amount, quantity, price, order }

    /// Parses the rows of `range` (which starts at a row) into `rows`; returns the number of lines it spanned.
    func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstLine: Int, into rows: inout RawLogRows,
        progress: ((Int) -> Void)?
    ) -> Int {
        var roles = [Int](repeating: -1, count: columns.highest + 1)
        roles[columns.customer] = Role.customer.rawValue
        roles[columns.date] = Role.date.rawValue
        if let column = columns.amount { roles[column] = Role.amount.rawValue }
        if let column = columns.quantity { roles[column] = Role.quantity.rawValue }
        if let column = columns.price { roles[column] = Role.price.rawValue }
        if let column = columns.order { roles[column] = Role.order.rawValue }
        let hasMoney = columns.hasMoney
        let hasOrder = columns.order != nil
        // Capacity from the average length of the first rows, so the columns do not grow (and copy) as they fill.
        let sample = buffer[range.lowerBound..<min(range.upperBound, range.lowerBound + 65_536)]
        let sampleRows = max(1, sample.reduce(0) { $0 + ($1 == 10 ? 1 : 0) })
        let estimate = max(16, Int(Double(range.count) / (Double(sample.count) / Double(sampleRows)) * 1.02))
        rows.customer.reserveCapacity(estimate)
        rows.day.reserveCapacity(estimate)
        rows.hash.reserveCapacity(estimate)
        rows.returnFlag.reserveCapacity(estimate)
        if hasMoney { rows.amount.reserveCapacity(estimate) }

        // Field bounds of the current row, per role; quoted fields are unescaped into `side`.
        var starts = [Int](repeating: 0, count: 6)
        var ends = [Int](repeating: 0, count: 6)
        var inSide = [Bool](repeating: false, count: 6)
        var side: [UInt8] = []
        var index = range.lowerBound
        let end = range.upperBound
        var line = firstLine
        var nextProgress = index + (1 << 22)
        while index < end {
            let rowStart = index
            let rowLine = line
            var field = 0
            side.removeAll(keepingCapacity: true)
            for role in 0..<6 { starts[role] = -1 }
            var broken: String?
            // Fields of one row.
            while true {
                let role = field < roles.count ? roles[field] : -1
                if index < end && buffer[index] == 34 {
                    let sideStart = side.count
                    index += 1
                    var closed = false
                    while index < end {
                        let byte = buffer[index]
                        if byte == 34 {
                            if index + 1 < end && buffer[index + 1] == 34 {
                                side.append(34)
                                index += 2
                                continue
                            }
                            index += 1
                            closed = true
                            break
                        }
                        if byte == 10 { line += 1 }
                        side.append(byte)
                        index += 1
                    }
                    if !closed { broken = "a quoted field is never closed" }
                    if role >= 0 {
                        starts[role] = sideStart
                        ends[role] = side.count
                        inSide[role] = true
                    }
                    while index < end && buffer[index] != delimiter && buffer[index] != 10 { index += 1 }
                } else {
                    let fieldStart = index
                    while index < end {
                        let byte = buffer[index]
                        if byte == delimiter || byte == 10 { break }
                        index += 1
                    }
                    if role >= 0 {
                        starts[role] = fieldStart
                        ends[role] = index > fieldStart && buffer[index - 1] == 13 ? index - 1 : index
                        inSide[role] = false
                    }
                }
                if index < end && buffer[index] == delimiter {
                    index += 1
                    field += 1
                    continue
                }
                break
            }
            var rowEnd = index
            if rowEnd > rowStart && buffer[rowEnd - 1] == 13 { rowEnd -= 1 }
            if index < end { index += 1 }  // the line feed
            line += 1
            if rowEnd == rowStart { continue }  // an empty line
            rows.rowsRead += 1
            if let progress, index >= nextProgress {
                progress(index - range.lowerBound)
                nextProgress = index + (1 << 22)
            }
            if let broken {
                rows.noteUnreadable(line: rowLine, column: field + 1, broken)
                continue
            }
            func value<T>(_ role: Role, _ body: (UnsafeBufferPointer<UInt8>, Int, Int) -> T) -> T? {
                let start = starts[role.rawValue]
                guard start >= 0 else { return nil }
                if inSide[role.rawValue] {
                    return side.withUnsafeBufferPointer { body($0, start, ends[role.rawValue]) }
                }
                return body(buffer, start, ends[role.rawValue])
            }
            guard starts[Role.customer.rawValue] >= 0 && starts[Role.date.rawValue] >= 0 else {
                rows.noteUnreadable(
                    line: rowLine, column: field + 1,
                    "the row has \(field + 1) fields; the customer or date column is beyond its end")
                continue
            }
            guard let day = value(.date, dates.day) ?? nil else {
                let text = value(.date, LogFieldParsing.text) ?? ""
                rows.noteUnreadable(
                    line: rowLine, column: columns.date + 1, "\"\(text)\" is not a date in the log's date format")
                continue
            }
            var amount: Int64 = 0
            if hasMoney {
                if columns.amount != nil {
                    guard
                        let parsed = value(.amount, { LogFieldParsing.decimal($0, $1, $2, commaDecimal: commaDecimal) })
                            ?? nil
                    else {
                        let text = value(.amount, LogFieldParsing.text) ?? ""
                        rows.noteUnreadable(line: rowLine, column: columns.amount! + 1, "\"\(text)\" is not an amount")
                        continue
                    }
                    amount = parsed
                } else {
                    guard
                        let quantity = value(
                            .quantity, { LogFieldParsing.decimal($0, $1, $2, commaDecimal: commaDecimal) })
                            ?? nil,
                        let price = value(.price, { LogFieldParsing.decimal($0, $1, $2, commaDecimal: commaDecimal) })
                            ?? nil
                    else {
                        rows.noteUnreadable(
                            line: rowLine, column: (columns.quantity ?? 0) + 1, "the quantity or price is not a number")
                        continue
                    }
                    let (product, overflow) = quantity.multipliedReportingOverflow(by: price)
                    guard !overflow else {
                        rows.noteUnreadable(line: rowLine, column: columns.price! + 1, "quantity × price is too large")
                        continue
                    }
                    amount = Self.rescale(product)
                }
            }
            let customerKey = value(.customer, LogFieldParsing.key) ?? .missing
            if case .text = customerKey, value(.customer, LogFieldParsing.isUTF8) == false {
                rows.legacyFields += 1
                if rows.legacyLines.count < 5 { rows.legacyLines.append(rowLine) }
            }
            rows.customer.append(rows.internCustomer(customerKey))
            rows.day.append(Int32(truncatingIfNeeded: day))
            if hasMoney { rows.amount.append(amount) }
            var isReturn = false
            if hasOrder {
                rows.order.append(rows.internOrder(value(.order, LogFieldParsing.key) ?? .missing))
                if let prefix = returnPrefix {
                    isReturn =
                        value(.order) { bytes, start, end in
                            var position = start
                            while position < end && bytes[position] == 32 { position += 1 }
                            guard end - position >= prefix.count else { return false }
                            for offset in 0..<prefix.count where bytes[position + offset] != prefix[offset] {
                                return false
                            }
                            return true
                        } ?? false
                }
            }
            rows.returnFlag.append(isReturn)
            rows.hash.append(LogFieldParsing.rowHash(buffer, rowStart, rowEnd))
        }
        return line - firstLine
    }

    /// A product of two four-decimal numbers back to four decimals, rounded half to even.
    static func rescale(_ product: Int64) -> Int64 {
        let scale = LogFieldParsing.scale
        var quotient = product / scale
        let remainder = abs(product % scale)
        if remainder * 2 > scale || (remainder * 2 == scale && quotient % 2 != 0) {
            quotient += product < 0 ? -1 : 1
        }
        return quotient
    }
}
