import Foundation

/// A position in a text file, for messages that say where to look.
public struct TextPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "line \(line), column \(column)" }
}

/// A file that is not valid delimited text, with where and what to do about it.
public struct DelimitedTextError: Error, Sendable, CustomStringConvertible {
    public var position: TextPosition
    public var message: String
    public var description: String { "\(position): \(message)" }
}

/// RFC 4180 reading over bytes already in memory: comma, semicolon or tab; quoted fields with doubled quotes and
/// line breaks inside; LF or CRLF; a UTF-8 byte-order mark is skipped and empty lines are passed over. Fields that
/// are not valid UTF-8 are decoded as Windows-1252 and counted, never a crash.
public struct DelimitedTextReader: Sendable {
    public let bytes: [UInt8]
    public let delimiter: UInt8
    /// Fields that were not valid UTF-8 and were read as Windows-1252, and the first lines they were on.
    public private(set) var legacyFields = 0
    public private(set) var legacyLines: [Int] = []

    public init(bytes: [UInt8], delimiter: UInt8? = nil) {
        self.bytes = bytes
        self.delimiter = delimiter ?? DelimitedTextReader.guessDelimiter(bytes)
    }

    /// The separator that occurs most often outside quotes on the first line: comma, semicolon or tab.
    public static func guessDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0]
        var quoted = false
        for byte in bytes.prefix(64 * 1024) {
            if byte == 34 { quoted.toggle() }
            if !quoted && byte == 10 { break }
            if !quoted && counts[byte] != nil { counts[byte]! += 1 }
        }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
    }

    /// A stretch of whole records: where it starts and ends in `bytes`, and the line it starts on.
    public struct Part: Sendable, Equatable {
        public var range: Range<Int>
        public var firstLine: Int
    }

    /// The text cut into at most `count` parts of about equal size, each ending after a line break that is not
    /// inside a quoted field, so each can be read on its own core with `forEachRecord(in:)` and the records come
    /// out exactly as one reading of the whole would give them. The byte-order mark stays before the first part.
    public func parts(_ count: Int) -> [Part] {
        bytes.withUnsafeBufferPointer { buffer in
            let start = (buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) ? 3 : 0
            let size = (buffer.count - start) / max(1, count)
            var parts: [Part] = []
            var partStart = start
            var partLine = 1
            // Outside a quoted field every quote opens one, and inside it quotes come in pairs ("" or the closing
            // one and the next opening), so the parity of quotes seen tells whether a line break ends a record.
            // Up to the next cut the quotes and line breaks are only counted, eight bytes at a time; from there the
            // bytes are walked to the first line break outside quotes.
            var index = start
            var line = 1
            var quoted = false
            while parts.count < count - 1 {
                let target = min(buffer.count, max(index, partStart + size))
                let counts = Self.quotesAndLineBreaks(UnsafeBufferPointer(rebasing: buffer[index..<target]))
                line += counts.lineBreaks
                if counts.quotes % 2 == 1 { quoted.toggle() }
                index = target
                while index < buffer.count {
                    let byte = buffer[index]
                    index += 1
                    if byte == 34 {
                        quoted.toggle()
                    } else if byte == 10 {
                        line += 1
                        if !quoted { break }
                    }
                }
                guard index < buffer.count else { break }
                parts.append(Part(range: partStart..<index, firstLine: partLine))
                partStart = index
                partLine = line
            }
            parts.append(Part(range: partStart..<buffer.count, firstLine: partLine))
            return parts
        }
    }

    /// Counted eight bytes at a time: the compiler does not vectorize the byte loop (a branch per byte).
    private static func quotesAndLineBreaks(_ bytes: UnsafeBufferPointer<UInt8>) -> (quotes: Int, lineBreaks: Int) {
        var quotes = 0
        var lineBreaks = 0
        var index = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                quotes += bytesEqual(word, 0x2222_2222_2222_2222)
                lineBreaks += bytesEqual(word, 0x0A0A_0A0A_0A0A_0A0A)
                index += 8
            }
        }
        while index < bytes.count {
            quotes += bytes[index] == 34 ? 1 : 0
            lineBreaks += bytes[index] == 10 ? 1 : 0
            index += 1
        }
        return (quotes, lineBreaks)
    }

    /// How many of the eight bytes of `word` equal those of `pattern`: a byte of `word ^ pattern` is zero exactly
    /// when they are equal, and the sum below sets the high bit of each byte that is not (without carries between
    /// bytes, since (b & 0x7F) + 0x7F ≤ 0xFE).
    @inline(__always)
    static func bytesEqual(_ word: UInt64, _ pattern: UInt64) -> Int {
        let difference = word ^ pattern
        let low = UInt64(0x7F7F_7F7F_7F7F_7F7F)
        return (~(((difference & low) &+ low) | difference | low)).nonzeroBitCount
    }

    /// Calls `body` with each record's first line number and fields, the header included (line 1).
    public mutating func forEachRecord(_ body: (Int, [String]) throws -> Void) throws {
        try forEachRecord(in: Part(range: 0..<bytes.count, firstLine: 1), body)
    }

    /// Calls `body` with each record of one part (see `parts(_:)`) and its first line number.
    public mutating func forEachRecord(in part: Part, _ body: (Int, [String]) throws -> Void) throws {
        var legacy = 0
        var legacyAt: [Int] = []
        try bytes.withUnsafeBufferPointer { whole in
            let buffer = UnsafeBufferPointer(rebasing: whole[..<part.range.upperBound])
            let count = buffer.count
            var index = part.range.lowerBound
            if index == 0 && count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { index = 3 }
            var line = part.firstLine
            var lineStart = index
            var fields: [String] = []
            var recordLine = line
            var scratch: [UInt8] = []

            func decode(_ slice: UnsafeBufferPointer<UInt8>.SubSequence) -> String {
                // ASCII, nearly every field of a transaction file, needs no validation (nor its generic path).
                if !slice.contains(where: { $0 >= 0x80 }) { return String(decoding: slice, as: UTF8.self) }
                if let text = String(validating: slice, as: UTF8.self) { return text }
                legacy += 1
                if legacyAt.count < 5 && legacyAt.last != recordLine { legacyAt.append(recordLine) }
                return Windows1252.decode(slice)
            }

            while index < count {
                recordLine = line
                fields.removeAll(keepingCapacity: true)
                var endOfRecord = false
                while !endOfRecord {
                    if index < count && buffer[index] == 34 {
                        let quoteLine = line
                        let quoteColumn = index - lineStart + 1
                        scratch.removeAll(keepingCapacity: true)
                        index += 1
                        while true {
                            guard index < count else {
                                throw DelimitedTextError(
                                    position: TextPosition(line: quoteLine, column: quoteColumn),
                                    message:
                                        "a quoted field is never closed: add the closing \" or remove the opening one")
                            }
                            let byte = buffer[index]
                            if byte == 34 {
                                if index + 1 < count && buffer[index + 1] == 34 {
                                    scratch.append(34)
                                    index += 2
                                    continue
                                }
                                index += 1
                                break
                            }
                            if byte == 10 {
                                line += 1
                                lineStart = index + 1
                            }
                            scratch.append(byte)
                            index += 1
                        }
                        fields.append(scratch.withUnsafeBufferPointer { decode($0[...]) })
                        if index < count && buffer[index] != delimiter && buffer[index] != 10 && buffer[index] != 13 {
                            throw DelimitedTextError(
                                position: TextPosition(line: line, column: index - lineStart + 1),
                                message:
                                    "unexpected text after a closing quote: quote the whole field, and double any \" inside it"
                            )
                        }
                    } else {
                        let start = index
                        while index < count {
                            let byte = buffer[index]
                            if byte == delimiter || byte == 10 || byte == 13 { break }
                            if byte == 34 {
                                throw DelimitedTextError(
                                    position: TextPosition(line: line, column: index - lineStart + 1),
                                    message:
                                        "a \" inside an unquoted field: quote the field and double the quote (\"\")")
                            }
                            index += 1
                        }
                        fields.append(decode(buffer[start..<index]))
                    }
                    if index < count && buffer[index] == delimiter {
                        index += 1
                        continue
                    }
                    if index < count && buffer[index] == 13 { index += 1 }
                    if index < count && buffer[index] == 10 {
                        index += 1
                        line += 1
                        lineStart = index
                    }
                    endOfRecord = true
                }
                if fields.count == 1 && fields[0].isEmpty { continue }
                try body(recordLine, fields)
            }
        }
        legacyFields += legacy
        legacyLines += legacyAt
    }
}

/// Windows-1252, the usual legacy encoding of Western European spreadsheets; its five unassigned bytes become
/// U+FFFD.
enum Windows1252 {
    static let high: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD,
        0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// Bytes read as Windows-1252 text.
    static func decode(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map(scalar).flatMap { String($0).utf8 }, as: UTF8.self)
    }

    static func scalar(_ byte: UInt8) -> Character {
        if byte >= 0x80 && byte < 0xA0 { return Character(Unicode.Scalar(high[Int(byte - 0x80)])!) }
        return Character(Unicode.Scalar(byte))
    }
}
