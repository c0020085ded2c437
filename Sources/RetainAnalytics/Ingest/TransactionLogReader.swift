import Foundation

/// Reads a delimited transaction log (bytes already gunzipped) into raw rows: RFC 4180 quoting, comma, semicolon
/// or tab, a UTF-8 byte-order mark skipped, fields that are not UTF-8 read as Windows-1252 and counted. A row
/// whose date or money cannot be read is skipped and counted with its line and column — never a crash. A log
/// without quotes is read in two halves on two cores.
public struct TransactionLogReader: Sendable {
    public var layout: TransactionLogLayout?
    public var delimiter: UInt8?

    public init(layout: TransactionLogLayout? = nil, delimiter: UInt8? = nil) {
        self.layout = layout
        self.delimiter = delimiter
    }

    /// What was read and how.
    struct Result {
        var rows: RawLogRows
        var layout: TransactionLogLayout
        var columns: ResolvedLogColumns
        var datePattern: String
        var delimiter: UInt8
    }

    func read(_ bytes: [UInt8], progress: (@Sendable (Double) -> Void)? = nil) throws -> Result {
        try bytes.withUnsafeBufferPointer { buffer in
            var start = buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0
            let headerEnd = buffer[start...].firstIndex(of: 10) ?? buffer.count
            let headerBytes = Array(buffer[start..<headerEnd])
            let delimiter = self.delimiter ?? DelimitedTextReader.guessDelimiter(headerBytes)
            var headerReader = DelimitedTextReader(bytes: headerBytes, delimiter: delimiter)
            var header: [String] = []
            try headerReader.forEachRecord { _, fields in if header.isEmpty { header = fields } }
            guard !header.isEmpty else { throw TransactionLogError("the log is empty: it has no header line") }
            guard let layout = self.layout ?? TransactionLogLayout.guess(header: header) else {
                throw TransactionLogError(
                    "cannot tell the customer and date columns from the header (\(header.joined(separator: ", "))): "
                        + "name them with --customer-column and --date-column, or use --preset")
            }
            let columns = try layout.resolve(header: header)
            start = min(headerEnd + 1, buffer.count)
            let pattern = try layout.dateFormat ?? Self.guessDatePattern(buffer, from: start, columns, delimiter)
            let dates = LogDateReader(pattern: pattern)
            let plan = RowPlan(
                columns: columns, delimiter: delimiter, dates: dates,
                returnPrefix: layout.returnPrefix.map { Array($0.utf8) },
                commaDecimal: delimiter != 44)
            // Halves only when no field is quoted: a quoted line break would make a split point ambiguous.
            var splits = [start..<buffer.count]
            if buffer.count - start > 8 << 20, !buffer[start...].contains(34) {
                var middle = start + (buffer.count - start) / 2
                while middle < buffer.count && buffer[middle - 1] != 10 { middle += 1 }
                splits = [start..<middle, middle..<buffer.count]
            }
            let parts = splits
            var results = [RawLogRows](repeating: RawLogRows(), count: parts.count)
            var lineCounts = [Int](repeating: 0, count: parts.count)
            let box = UnsafeSendable(buffer)
            results.withUnsafeMutableBufferPointer { output in
                let out = UnsafeSendable(output)
                lineCounts.withUnsafeMutableBufferPointer { linesOut in
                    let lines = UnsafeSendable(linesOut)
                    DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                        var rows = RawLogRows()
                        lines.value[part] = plan.parse(
                            box.value, parts[part], firstLine: 2, into: &rows,
                            progress: part == 0
                                ? progress.map { report in { report(Double($0) / Double(parts[0].count)) } } : nil)
                        out.value[part] = rows
                    }
                }
            }
            var rows = results[0]
            if results.count > 1 {
                var second = results[1]
                let offset = lineCounts[0]
                for index in second.unreadableExamples.indices { second.unreadableExamples[index].line += offset }
                second.legacyLines = second.legacyLines.map { $0 + offset }
                rows.append(second)
            }
            progress?(1)
            return Result(rows: rows, layout: layout, columns: columns, datePattern: pattern, delimiter: delimiter)
        }
    }

    /// The pattern that reads the most of the first 200 dates (at least half of them): ISO dates first (any time
    /// or offset after them is not needed), then the common patterns of `TimestampText` in their order.
    static func guessDatePattern(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, _ columns: ResolvedLogColumns, _ delimiter: UInt8
    ) throws -> String {
        var samples: [String] = []
        let end = min(buffer.count, start + 256 << 10)
        var reader = DelimitedTextReader(bytes: Array(buffer[start..<end]), delimiter: delimiter)
        try? reader.forEachRecord { _, fields in
            if samples.count < 200, columns.date < fields.count, !fields[columns.date].isEmpty {
                samples.append(fields[columns.date].trimmingCharacters(in: .whitespaces))
            }
        }
        if samples.count > 1 && end < buffer.count { samples.removeLast() }  // the last record may be cut in half
        func reads(_ dates: LogDateReader) -> Int {
            samples.reduce(0) { count, sample in
                let bytes = Array(sample.utf8)
                return count + (bytes.withUnsafeBufferPointer { dates.day($0, 0, $0.count) } != nil ? 1 : 0)
            }
        }
        let utc = TimeZone(identifier: "UTC")!
        var best: (pattern: String, count: Int)?
        for pattern in ["yyyy-MM-dd"] + TimestampText.commonPatterns {
            let dates =
                pattern == "yyyy-MM-dd"
                ? LogDateReader.iso : LogDateReader.pattern(TimestampText(pattern: pattern, zone: utc))
            let count = reads(dates)
            if count > (best?.count ?? 0) { best = (pattern, count) }
            if count == samples.count { break }
        }
        guard let best, best.count * 2 >= samples.count, !samples.isEmpty else {
            throw TransactionLogError(
                "cannot tell the date format from values like \"\(samples.first ?? "")\": give it with --date-format "
                    + "(for example yyyy-MM-dd, yyyyMMdd, M/d/yyyy H:mm, d.M.yyyy)")
        }
        return best.pattern
    }
}

/// A value that is only touched from one thread at a time, by construction of the caller.
struct UnsafeSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
