extension TransactionLog {
    /// Reads a log's bytes (already gunzipped) and applies the cleaning rules.
    /// The bytes are consumed: they are let go before grouping, so a big file and its grouped copy are not both in
    /// memory.
    public static func read(
        _ bytes: consuming [UInt8], reader: TransactionLogReader = TransactionLogReader(),
        rules: CleaningRules = CleaningRules(), progress: (@Sendable (Double) -> Void)? = nil
    ) throws -> TransactionLog {
        var result = try reader.read(bytes, progress: progress)
        bytes = []
        let (read, unreadable, examples) = (
            result.rows.rowsRead, result.rows.unreadable, result.rows.unreadableExamples
        )
        if read > 0 && unreadable * 2 > read {
            let example = examples.first.map { " First: \($0)." } ?? ""
            throw TransactionLogError(
                "\(unreadable) of \(read) rows cannot be read as mapped (\(result.layout.source), "
                    + "dates as \(result.datePattern)).\(example) Check the column mapping and --date-format.")
        }
        let rows = result.rows
        result.rows = RawLogRows()  // the rows' only owner is now `rows`, which `build` consumes
        var log = build(
            consume rows, layout: result.layout, datePattern: result.datePattern, hasMoney: result.columns.hasMoney,
            hasOrder: result.columns.order != nil, rules: rules)
        log.quality.unreadableRows = unreadable
        log.quality.unreadableExamples = examples
        return log
    }

    /// Cleaning and grouping: drops rows without a customer, sets returns aside, finds duplicates and same-day
    /// repeats, groups rows into transactions (by order id when there is one) and customers.
    static func build(
        _ rows: consuming RawLogRows, layout: TransactionLogLayout, datePattern: String, hasMoney: Bool, hasOrder: Bool,
        rules: CleaningRules
    ) -> TransactionLog {
        var log = TransactionLog(layout: layout, datePattern: datePattern)
        log.hasMoney = hasMoney
        var quality = DataQuality()
        quality.rowsRead = rows.rowsRead
        quality.legacyEncodedFields = rows.legacyFields
        quality.legacyEncodedLines = rows.legacyLines
        let count = rows.customer.count
        let scale = Double(LogFieldParsing.scale)

        // 1. Classify rows: 0 = purchase, 1 = return, 2 = dropped.
        var kind = [UInt8](repeating: 0, count: count)
        var withoutCustomer = 0
        var amountWithoutCustomer: Int64 = 0
        for row in 0..<count {
            let amount = hasMoney ? rows.amount[row] : 0
            if rows.customer[row] == RawLogRows.missing {
                kind[row] = 2
                withoutCustomer += 1
                amountWithoutCustomer &+= amount
            } else if rows.returnFlag[row] || amount < 0 {
                kind[row] = 1
                quality.returnRows += 1
                quality.returnAmount += Double(amount) / scale
            } else if hasMoney && amount == 0 {
                quality.zeroAmountRows += 1
                if rules.zeroAmounts == .drop { kind[row] = 2 }
            }
        }
        quality.rowsWithoutCustomer = withoutCustomer
        quality.amountWithoutCustomer = Double(amountWithoutCustomer) / scale

        // 2. Customers: those with at least one purchase row, numbered in id order.
        let dense = CustomerNumbering(rows: rows, kind: kind)
        log.customerKeys = dense.keys
        log.customerTexts = rows.customerTexts
        let customers = dense.keys.count

        // 3. Rows grouped by customer (a stable counting sort keeps file order within a customer).
        var rowCounts = [Int](repeating: 0, count: customers + 1)
        var customerOfRow = [Int32](repeating: -1, count: count)
        var onlyReturns: Set<Int64> = []
        for row in 0..<count where kind[row] != 2 {
            let customer = dense.index(of: rows.customer[row])
            if customer < 0 {
                if kind[row] == 1 { onlyReturns.insert(rows.customer[row]) }
                continue
            }
            customerOfRow[row] = Int32(customer)
            if kind[row] == 0 { rowCounts[customer + 1] += 1 }
        }
        quality.customersWithOnlyReturns = onlyReturns.count
        for customer in 0..<customers { rowCounts[customer + 1] += rowCounts[customer] }
        var cursor = rowCounts
        // Row numbers in customer order (logs with order ids); logs without are scattered straight into
        // `CompactRow`s below, reading the columns in sequence.
        var grouped = [Int32](repeating: 0, count: hasOrder ? rowCounts[customers] : 0)
        if hasOrder {
            for row in 0..<count where kind[row] == 0 && customerOfRow[row] >= 0 {
                let customer = Int(customerOfRow[row])
                grouped[cursor[customer]] = Int32(row)
                cursor[customer] += 1
            }
        }

        // 4. Returns netted against revenue.
        if rules.returns == .net && hasMoney {
            for row in 0..<count where kind[row] == 1 && customerOfRow[row] >= 0 {
                log.adjustmentCustomer.append(customerOfRow[row])
                log.adjustmentDay.append(rows.day[row])
                log.adjustmentAmount.append(rows.amount[row] < 0 ? rows.amount[row] : -rows.amount[row])
            }
        }
        // 5. Transactions per customer.
        let dropDuplicates =
            rules.duplicates == .drop || (rules.duplicates == .auto && hasOrder)
        quality.duplicatesDropped = dropDuplicates
        quality.sameDayMerged = rules.sameDay == .merge
        // Built in local arrays (not through `log`, whose every access would check uniqueness).
        var days: [Int32] = []
        var amounts: [Int64] = []
        var offsets: [Int] = [0]
        days.reserveCapacity(rowCounts[customers])
        if hasMoney { amounts.reserveCapacity(rowCounts[customers]) }
        offsets.reserveCapacity(customers + 1)
        if hasOrder {
            let (orderColumn, dayColumn, hashColumn) = (rows.order, rows.day, rows.hash)
            var segment: [Int32] = []
            for customer in 0..<customers {
                segment.removeAll(keepingCapacity: true)
                segment.append(contentsOf: grouped[rowCounts[customer]..<rowCounts[customer + 1]])
                segment.sort {
                    (orderColumn[Int($0)], dayColumn[Int($0)], hashColumn[Int($0)], $0)
                        < (orderColumn[Int($1)], dayColumn[Int($1)], hashColumn[Int($1)], $1)
                }
                let first = days.count
                var index = 0
                while index < segment.count {
                    // One order: its rows summed and dated by the first; identical rows noticed on the way.
                    let row = Int(segment[index])
                    var day = rows.day[row]
                    var amount = hasMoney ? rows.amount[row] : 0
                    quality.rowsUsed += 1
                    var next = index + 1
                    while next < segment.count && rows.order[Int(segment[next])] == rows.order[row] {
                        let other = Int(segment[next])
                        next += 1
                        if rows.hash[other] == rows.hash[Int(segment[next - 2])] {
                            quality.duplicateRows += 1
                            if dropDuplicates { continue }
                        }
                        day = min(day, rows.day[other])
                        amount &+= hasMoney ? rows.amount[other] : 0
                        quality.rowsUsed += 1
                    }
                    days.append(day)
                    if hasMoney { amounts.append(amount) }
                    index = next
                }
                sortAndMergeDays(
                    &days, &amounts, from: first, hasMoney: hasMoney, merge: rules.sameDay == .merge,
                    quality: &quality)
                offsets.append(days.count)
            }
        } else {
            // Each row is a transaction. The rows' values are scattered into customer order first, so the walk
            // below reads memory in sequence (gathering three columns through row numbers was the slow part).
            var compact = [CompactRow](repeating: CompactRow(day: 0, tag: 0, amount: 0), count: rowCounts[customers])
            for row in 0..<count where kind[row] == 0 && customerOfRow[row] >= 0 {
                let customer = Int(customerOfRow[row])
                compact[cursor[customer]] = CompactRow(
                    day: rows.day[row], tag: UInt32(truncatingIfNeeded: rows.hash[row]),
                    amount: hasMoney ? rows.amount[row] : 0)
                cursor[customer] += 1
            }
            rows = RawLogRows()  // the columns are in `compact` now
            var segment: [CompactRow] = []
            for customer in 0..<customers {
                segment.removeAll(keepingCapacity: true)
                segment.append(contentsOf: compact[rowCounts[customer]..<rowCounts[customer + 1]])
                var previous = Int32.min
                var chronological = true
                for row in segment {
                    if row.day < previous {
                        chronological = false
                        break
                    }
                    previous = row.day
                }
                if !chronological { segment.sort { $0.day < $1.day } }
                let first = days.count
                var dayStart = 0
                for (index, row) in segment.enumerated() {
                    if row.day != segment[dayStart].day { dayStart = index }
                    // An identical earlier row of the same day (same 32 bits of the row's hash).
                    if index > dayStart && segment[dayStart..<index].contains(where: { $0.tag == row.tag }) {
                        quality.duplicateRows += 1
                        if dropDuplicates { continue }
                    }
                    quality.rowsUsed += 1
                    days.append(row.day)
                    if hasMoney { amounts.append(row.amount) }
                }
                sortAndMergeDays(
                    &days, &amounts, from: first, hasMoney: hasMoney, merge: rules.sameDay == .merge,
                    quality: &quality)
                offsets.append(days.count)
            }
        }
        log.firstDay = days.min().map(Int.init) ?? 0
        log.lastDay = days.max().map(Int.init) ?? 0
        log.day = days
        log.amount = amounts
        log.offsets = offsets

        quality.rules = ruleTexts(rules, hasOrder: hasOrder, hasMoney: hasMoney, dropDuplicates: dropDuplicates)
        log.quality = quality
        return log
    }

    /// Puts a customer's transactions in day order, counts same-day repeats and merges them when asked.
    private static func sortAndMergeDays(
        _ days: inout [Int32], _ amounts: inout [Int64], from first: Int, hasMoney: Bool, merge: Bool,
        quality: inout DataQuality
    ) {
        let end = days.count
        guard end - first > 1 else { return }
        var sorted = true
        for index in (first + 1)..<end where days[index] < days[index - 1] {
            sorted = false
            break
        }
        if !sorted {
            var pairs = (first..<end).map { (days[$0], hasMoney ? amounts[$0] : 0) }
            pairs.sort { $0.0 < $1.0 }
            for (offset, pair) in pairs.enumerated() {
                days[first + offset] = pair.0
                if hasMoney { amounts[first + offset] = pair.1 }
            }
        }
        var write = first
        for index in first..<end {
            if index > first && days[index] == days[write - 1] {
                quality.sameDayRepeats += 1
                if merge {
                    if hasMoney { amounts[write - 1] &+= amounts[index] }
                    continue
                }
            }
            days[write] = days[index]
            if hasMoney { amounts[write] = amounts[index] }
            write += 1
        }
        if write < end {
            days.removeSubrange(write..<end)
            if hasMoney { amounts.removeSubrange(write..<end) }
        }
    }

    static func ruleTexts(_ rules: CleaningRules, hasOrder: Bool, hasMoney: Bool, dropDuplicates: Bool) -> [String] {
        var texts = [
            hasOrder
                ? "A transaction is one order id of one customer (its lines summed, dated by its first line)."
                : "A transaction is one row.",
            "Rows without a customer id are left out (counted with their money).",
            rules.returns == .exclude
                ? "Returns and cancellations (negative money or quantity\(hasOrder ? ", or a return-prefixed order id" : "")) are not transactions and their money is left out (--returns exclude)."
                : "Returns and cancellations are not transactions; their money is subtracted from the customer's revenue on their day (--returns net).",
            dropDuplicates
                ? "Rows identical to an earlier row of the same \(hasOrder ? "order" : "customer and day") are dropped as double entries (--duplicates drop)."
                : "Rows identical to an earlier row are kept as separate purchases (--duplicates keep).",
            rules.sameDay == .keep
                ? "Several transactions of one customer on one day each count in the metrics; the models count purchase days (--same-day keep)."
                : "Several transactions of one customer on one day are merged into one (--same-day merge).",
        ]
        if hasMoney {
            texts.append(
                rules.zeroAmounts == .keep
                    ? "Transactions with zero money are kept as visits (--zero-amounts keep)."
                    : "Rows with zero money are left out (--zero-amounts drop).")
        } else {
            texts.append("The log has no money column: revenue, CLV, monetary scores and spend models are left out.")
        }
        return texts
    }
}

/// A row's values in customer order, for the walk over logs without order ids.
struct CompactRow {
    var day: Int32
    /// The low 32 bits of the row's hash: equal rows have equal tags (and two different rows of one customer-day
    /// share one with a chance of about 1 in 4 billion).
    var tag: UInt32
    var amount: Int64
}

/// Dense customer numbers for the customers that have at least one purchase row, in id order: ids made of digits
/// by their numeric value (so "00042" sorts as 42, next to 41 and 43), equal values by text; other ids after them,
/// in text order.
struct CustomerNumbering {
    /// Key of each customer number.
    let keys: [Int64]
    private let table: [Int32]
    private let tableBase: Int64
    private let textNumbers: [Int32]
    private let dictionary: [Int64: Int32]

    init(rows: borrowing RawLogRows, kind: [UInt8]) {
        var minimum = Int64.max
        var maximum = Int64.min
        var textPresent = [Bool](repeating: false, count: rows.customerTexts.count)
        for row in 0..<rows.customer.count where kind[row] == 0 {
            let key = rows.customer[row]
            if key >= 0 {
                minimum = min(minimum, key)
                maximum = max(maximum, key)
            } else if key != RawLogRows.missing {
                textPresent[Int(-key - 1)] = true
            }
        }
        // Numeric ids in ascending order, through a table when they are dense enough, else a set.
        var numbers: [Int64] = []
        let numeric = minimum <= maximum
        let span = numeric ? maximum - minimum + 1 : 0
        let useTable = numeric && span <= Int64(4 * rows.customer.count + 1_000_000)
        if useTable {
            var present = [Bool](repeating: false, count: Int(span))
            for row in 0..<rows.customer.count where kind[row] == 0 && rows.customer[row] >= 0 {
                present[Int(rows.customer[row] - minimum)] = true
            }
            for offset in 0..<Int(span) where present[offset] { numbers.append(minimum + Int64(offset)) }
        } else if numeric {
            var seen: Set<Int64> = []
            for row in 0..<rows.customer.count where kind[row] == 0 && rows.customer[row] >= 0 {
                seen.insert(rows.customer[row])
            }
            numbers = seen.sorted()
        }
        // Text ids: digit-only ones (leading zeros) merge with the numbers by value; the rest follow by text.
        var digitTexts: [(value: Int64, index: Int)] = []
        var otherTexts: [Int] = []
        for index in rows.customerTexts.indices where textPresent[index] {
            let text = rows.customerTexts[index]
            if text.utf8.count <= 18, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int64(text)
            {
                digitTexts.append((value, index))
            } else {
                otherTexts.append(index)
            }
        }
        digitTexts.sort {
            $0.value != $1.value ? $0.value < $1.value : rows.customerTexts[$0.index] < rows.customerTexts[$1.index]
        }
        otherTexts.sort { rows.customerTexts[$0] < rows.customerTexts[$1] }
        var keys: [Int64] = []
        keys.reserveCapacity(numbers.count + digitTexts.count + otherTexts.count)
        var next = 0
        for number in numbers {
            // A digit text with a smaller value, or the same value (a zero-padded twin), comes first.
            while next < digitTexts.count && digitTexts[next].value <= number {
                keys.append(-Int64(digitTexts[next].index) - 1)
                next += 1
            }
            keys.append(number)
        }
        for entry in digitTexts[next...] { keys.append(-Int64(entry.index) - 1) }
        for index in otherTexts { keys.append(-Int64(index) - 1) }

        var table = [Int32](repeating: -1, count: useTable ? Int(span) : 0)
        var dictionary: [Int64: Int32] = [:]
        var textNumbers = [Int32](repeating: -1, count: rows.customerTexts.count)
        for (number, key) in keys.enumerated() {
            if key < 0 {
                textNumbers[Int(-key - 1)] = Int32(number)
            } else if useTable {
                table[Int(key - minimum)] = Int32(number)
            } else {
                dictionary[key] = Int32(number)
            }
        }
        self.keys = keys
        self.table = table
        self.tableBase = numeric ? minimum : 0
        self.textNumbers = textNumbers
        self.dictionary = dictionary
    }

    /// The customer number of a key, or −1 when the key has no purchase row.
    @inline(__always) func index(of key: Int64) -> Int {
        if key < 0 { return key == RawLogRows.missing ? -1 : Int(textNumbers[Int(-key - 1)]) }
        if !table.isEmpty {
            let offset = key - tableBase
            return offset >= 0 && offset < Int64(table.count) ? Int(table[Int(offset)]) : -1
        }
        return dictionary[key].map(Int.init) ?? -1
    }
}
