extension TransactionLog {
    /// Reads a log's bytes (already gunzipped) and applies the cleaning rules.
    public static func read(
        _ bytes: [UInt8], reader: TransactionLogReader = TransactionLogReader(), rules: CleaningRules = CleaningRules(),
        progress: (@Sendable (Double) -> Void)? = nil
    ) throws -> TransactionLog {
        let result = try reader.read(bytes, progress: progress)
        var log = build(
            result.rows, layout: result.layout, datePattern: result.datePattern, hasMoney: result.columns.hasMoney,
            hasOrder: result.columns.order != nil, rules: rules)
        if result.rows.rowsRead > 0 && result.rows.unreadable * 2 > result.rows.rowsRead {
            let example = result.rows.unreadableExamples.first.map { " First: \($0)." } ?? ""
            throw TransactionLogError(
                "\(result.rows.unreadable) of \(result.rows.rowsRead) rows cannot be read as mapped (\(result.layout.source), "
                    + "dates as \(result.datePattern)).\(example) Check the column mapping and --date-format.")
        }
        log.quality.unreadableRows = result.rows.unreadable
        log.quality.unreadableExamples = result.rows.unreadableExamples
        return log
    }

    /// Cleaning and grouping: drops rows without a customer, sets returns aside, finds duplicates and same-day
    /// repeats, groups rows into transactions (by order id when there is one) and customers.
    static func build(
        _ rows: RawLogRows, layout: TransactionLogLayout, datePattern: String, hasMoney: Bool, hasOrder: Bool,
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
        var grouped = [Int32](repeating: 0, count: rowCounts[customers])
        for row in 0..<count where kind[row] == 0 && customerOfRow[row] >= 0 {
            let customer = Int(customerOfRow[row])
            grouped[cursor[customer]] = Int32(row)
            cursor[customer] += 1
        }

        // 4. Transactions per customer.
        let dropDuplicates =
            rules.duplicates == .drop || (rules.duplicates == .auto && hasOrder)
        quality.duplicatesDropped = dropDuplicates
        quality.sameDayMerged = rules.sameDay == .merge
        log.day.reserveCapacity(grouped.count)
        if hasMoney { log.amount.reserveCapacity(grouped.count) }
        log.offsets.reserveCapacity(customers + 1)
        var segment: [Int32] = []
        for customer in 0..<customers {
            segment.removeAll(keepingCapacity: true)
            segment.append(contentsOf: grouped[rowCounts[customer]..<rowCounts[customer + 1]])
            if hasOrder {
                segment.sort {
                    (rows.order[Int($0)], rows.day[Int($0)], rows.hash[Int($0)], $0)
                        < (rows.order[Int($1)], rows.day[Int($1)], rows.hash[Int($1)], $1)
                }
            } else if !isChronological(segment, rows.day) {
                segment.sort { (rows.day[Int($0)], $0) < (rows.day[Int($1)], $1) }
            }
            let first = log.day.count
            var index = 0
            var dayStart = 0  // without orders: where the rows of the current day begin, to find repeats among them
            while index < segment.count {
                if !hasOrder && rows.day[Int(segment[index])] != rows.day[Int(segment[dayStart])] { dayStart = index }
                // A group: rows of one order (or one row without orders), identical rows noticed on the way.
                let row = Int(segment[index])
                var day = rows.day[row]
                var amount = hasMoney ? rows.amount[row] : 0
                quality.rowsUsed += 1
                var next = index + 1
                while next < segment.count {
                    let other = Int(segment[next])
                    if hasOrder {
                        guard rows.order[other] == rows.order[row] else { break }
                    } else {
                        guard rows.day[other] == rows.day[row] else { break }
                    }
                    if isDuplicate(other, among: segment[(hasOrder ? index : dayStart)..<next], rows) {
                        quality.duplicateRows += 1
                        if dropDuplicates {
                            next += 1
                            continue
                        }
                    }
                    if !hasOrder { break }  // without orders each row is its own transaction
                    day = min(day, rows.day[other])
                    amount &+= hasMoney ? rows.amount[other] : 0
                    quality.rowsUsed += 1
                    next += 1
                }
                log.day.append(day)
                if hasMoney { log.amount.append(amount) }
                index = next
            }
            sortAndMergeDays(&log, from: first, merge: rules.sameDay == .merge, quality: &quality)
            log.offsets.append(log.day.count)
        }

        // 5. Returns netted against revenue.
        if rules.returns == .net && hasMoney {
            for row in 0..<count where kind[row] == 1 && customerOfRow[row] >= 0 {
                log.adjustmentCustomer.append(customerOfRow[row])
                log.adjustmentDay.append(rows.day[row])
                log.adjustmentAmount.append(rows.amount[row] < 0 ? rows.amount[row] : -rows.amount[row])
            }
        }
        quality.rules = ruleTexts(rules, hasOrder: hasOrder, hasMoney: hasMoney, dropDuplicates: dropDuplicates)
        log.quality = quality
        return log
    }

    private static func isChronological(_ segment: [Int32], _ days: [Int32]) -> Bool {
        var previous = Int32.min
        for row in segment {
            let day = days[Int(row)]
            if day < previous { return false }
            previous = day
        }
        return true
    }

    /// Whether `row` repeats (byte for byte) a row just before it in the same group.
    private static func isDuplicate(_ row: Int, among earlier: ArraySlice<Int32>, _ rows: RawLogRows) -> Bool {
        let hash = rows.hash[row]
        for other in earlier.reversed().prefix(64) where rows.hash[Int(other)] == hash { return true }
        return false
    }

    /// Puts a customer's transactions in day order, counts same-day repeats and merges them when asked.
    private static func sortAndMergeDays(
        _ log: inout TransactionLog, from first: Int, merge: Bool, quality: inout DataQuality
    ) {
        let end = log.day.count
        guard end - first > 1 else { return }
        var sorted = true
        for index in (first + 1)..<end where log.day[index] < log.day[index - 1] {
            sorted = false
            break
        }
        if !sorted {
            var pairs = (first..<end).map { (log.day[$0], log.hasMoney ? log.amount[$0] : 0) }
            pairs.sort { $0.0 < $1.0 }
            for (offset, pair) in pairs.enumerated() {
                log.day[first + offset] = pair.0
                if log.hasMoney { log.amount[first + offset] = pair.1 }
            }
        }
        var write = first
        for index in first..<end {
            if index > first && log.day[index] == log.day[write - 1] {
                quality.sameDayRepeats += 1
                if merge {
                    if log.hasMoney { log.amount[write - 1] &+= log.amount[index] }
                    continue
                }
            }
            log.day[write] = log.day[index]
            if log.hasMoney { log.amount[write] = log.amount[index] }
            write += 1
        }
        if write < end {
            log.day.removeSubrange(write..<end)
            if log.hasMoney { log.amount.removeSubrange(write..<end) }
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

    init(rows: RawLogRows, kind: [UInt8]) {
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
