import Foundation
import RetainAnalytics

/// A CSV file read whole into memory (gunzipped if needed), with its header and a way to walk its records.
final class CSVTable {
    let path: String
    let header: [String]
    private let reader: DelimitedTextReader

    init(path: String, delimiter: String?) throws {
        self.path = path
        let separator: UInt8?
        switch delimiter?.lowercased() {
        case nil: separator = nil
        case "comma", ",": separator = 44
        case "semicolon", ";": separator = 59
        case "tab", "\\t", "\t": separator = 9
        default: throw CLIError("--delimiter must be comma, semicolon or tab")
        }
        var reader = DelimitedTextReader(bytes: try InputFile.bytes(path), delimiter: separator)
        var header: [String] = []
        do {
            try reader.forEachRecord { _, fields in
                header = fields
                throw StopReading()
            }
        } catch is StopReading {
        } catch let error as DelimitedTextError {
            throw CLIError("\(path):\(error.position.line):\(error.position.column): \(error.message)")
        }
        guard !header.isEmpty else { throw CLIError("\(path): the file is empty") }
        self.header = header
        self.reader = reader
    }

    private struct StopReading: Error {}

    /// Every data record (the header skipped) with its line number. A structural error stops the whole import
    /// before anything is written, naming file, line and column.
    func forEachRecord(_ body: (Int, [String]) throws -> Void) throws {
        var reader = reader
        var first = true
        do {
            try reader.forEachRecord { line, fields in
                if first {
                    first = false
                    return
                }
                try body(line, fields)
            }
        } catch let error as DelimitedTextError {
            throw CLIError(
                "\(path):\(error.position.line):\(error.position.column): \(error.message); nothing was imported")
        }
        legacy = (reader.legacyFields, reader.legacyLines)
    }

    /// Every data record (the header skipped), read on all cores a part of the file at a time: `makeReader` gives
    /// each part its own function (which may keep state from record to record) that turns each record (line
    /// number, fields) into a row. `consume` gets each part's rows in file order, on the calling thread, as soon as
    /// that part and those before it are read: the work done on rows in order overlaps the reading of the parts
    /// after them. A structural error stops the whole import, naming the first place in the file where reading
    /// failed.
    ///
    /// The calling thread is one of the readers: when the next part is not read yet, it reads one itself. So one
    /// thread per core is busy, and the rows are used in order as soon as they are ready; with a reader on every
    /// core besides, the caller had a third of the cores and was left using the last parts alone after the reading.
    func readRecords<Row: Sendable>(
        _ makeReader: @escaping @Sendable () -> (Int, [String]) -> Row, consume: ([Row]) throws -> Void
    ) throws {
        // Several parts per core, so the first are ready while the rest are read.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parts = reader.parts(cores * 4)
        let results = PartResults<(rows: [Row], reader: DelimitedTextReader)>(count: parts.count)
        let base = reader
        @Sendable func read(_ index: Int) {
            results.set(
                index,
                Result {
                    var reader = base
                    var rows: [Row] = []
                    let read = makeReader()
                    var skipHeader = index == 0
                    try reader.forEachRecord(in: parts[index]) { line, fields in
                        if skipHeader {
                            skipHeader = false
                            return
                        }
                        rows.append(read(line, fields))
                    }
                    return (rows, reader)
                })
        }
        let reading = DispatchGroup()
        for _ in 1..<max(1, cores) {
            DispatchQueue.global().async(group: reading) {
                while let index = results.claim() { read(index) }
            }
        }
        // The parts still being read are waited for whatever happens: they would go on using the cores.
        defer {
            results.stopClaims()
            reading.wait()
        }
        var legacy = (fields: reader.legacyFields, lines: reader.legacyLines)
        for index in parts.indices {
            var result = results.takeIfReady(index)
            while result == nil {
                if let next = results.claim() {
                    read(next)
                    result = results.takeIfReady(index)
                } else {
                    result = results.take(index)
                }
            }
            switch result! {
            case .failure(let error as DelimitedTextError):
                throw CLIError(
                    "\(path):\(error.position.line):\(error.position.column): \(error.message); nothing was imported")
            case .failure(let error): throw error
            case .success(let part):
                legacy.fields += part.reader.legacyFields - base.legacyFields
                legacy.lines += part.reader.legacyLines.dropFirst(base.legacyLines.count)
                try consume(part.rows)
            }
        }
        self.legacy = (legacy.fields, Array(legacy.lines.prefix(5)))
    }

    /// The bytes of the file (gunzipped), for estimates.
    var byteCount: Int { reader.bytes.count }

    private var legacy: (Int, [Int]) = (0, [])

    var decodingNotes: [String] {
        legacy.0 == 0
            ? []
            : [
                "\(legacy.0) fields (first on lines \(legacy.1.map(String.init).joined(separator: ", "))) were not valid UTF-8 and were read as Windows-1252"
            ]
    }

    /// A parser for the date column: the given format, or the first common format that reads the first 200 values.
    func dateParser(column: Int, format: String?, zone: TimeZone) throws -> @Sendable (String) throws -> Date {
        var samples: [String] = []
        if format == nil {
            try? forEachRecord { _, fields in
                if column < fields.count, !fields[column].isEmpty { samples.append(fields[column]) }
                if samples.count >= 200 { throw StopReading() }
            }
        }
        guard let pattern = format ?? TimestampText.guess(samples: samples) else {
            throw CLIError(
                "\(path): cannot tell the date format of \"\(samples.first ?? "")\"; give --date-format, e.g. yyyy-MM-dd HH:mm:ss"
            )
        }
        let parser = TimestampText(pattern: pattern, zone: zone)
        return { text in try parser.parse(text) }
    }
}

enum ImportNumbers {
    static func integer(_ text: String) throws -> Int64 { try DecimalText.integer(text) }
    static func minorUnits(_ text: String, exponent: Int) throws -> Int64 {
        try DecimalText.minorUnits(text, exponent: exponent, excess: .roundHalfEven)
    }

    static func hasExcessDecimals(_ text: String, _ exponent: Int) -> Bool {
        let digits = text.trimmedASCIISpaces.utf8
        guard let point = digits.firstIndex(of: 46) else { return false }
        return digits.distance(from: point, to: digits.endIndex) - 1 > exponent
    }
}

/// Each part's result, set by the thread that read it and taken in file order by the one that uses it; parts are
/// claimed for reading in file order, so the one needed next is always claimed before those after it.
private final class PartResults<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Result<Value, any Error>?]
    private var claimed = 0

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }

    /// The next part nobody reads yet, or nil when all are claimed (or claiming stopped).
    func claim() -> Int? {
        condition.withLock {
            guard claimed < results.count else { return nil }
            defer { claimed += 1 }
            return claimed
        }
    }

    /// No part is claimed after this (the caller stopped using them).
    func stopClaims() {
        condition.withLock { claimed = results.count }
    }

    func set(_ index: Int, _ result: Result<Value, any Error>) {
        condition.withLock {
            results[index] = result
            condition.broadcast()
        }
    }

    /// Part `index` if it is read, let go of here (its rows are freed as soon as they have been used).
    func takeIfReady(_ index: Int) -> Result<Value, any Error>? {
        condition.withLock {
            defer { results[index] = nil }
            return results[index]
        }
    }

    /// Waits for part `index`, and lets go of it here.
    func take(_ index: Int) -> Result<Value, any Error> {
        condition.withLock {
            while results[index] == nil { condition.wait() }
            defer { results[index] = nil }
            return results[index]!
        }
    }
}
