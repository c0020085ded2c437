import Foundation
import PropertyBased
import Testing

@testable import RetainAnalytics

@Suite("reading delimited text")
struct DelimitedTextReaderTests {
    func records(_ text: String, delimiter: UInt8? = nil) throws -> [(Int, [String])] {
        var reader = DelimitedTextReader(bytes: Array(text.utf8), delimiter: delimiter)
        var out: [(Int, [String])] = []
        try reader.forEachRecord { out.append(($0, $1)) }
        return out
    }

    @Test("quoted fields, doubled quotes, separators and line breaks inside quotes, CRLF, BOM, no final newline")
    func rfc4180() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, \"\"quoted\"\"\",3\r\n\r\n2,\"two\nlines\",\n3,,last"
        let rows = try records(text)
        #expect(rows.count == 4)
        #expect(rows[0].1 == ["a", "b", "c"])
        #expect(rows[1].1 == ["1", "x, \"quoted\"", "3"])
        #expect(rows[2].0 == 4)
        #expect(rows[2].1 == ["2", "two\nlines", ""])
        #expect(rows[3].0 == 6)
        #expect(rows[3].1 == ["3", "", "last"])
    }

    @Test(
        "the separator is guessed from the header, outside quotes",
        arguments: [
            ("a;b;c\n1;2;3", UInt8(59)), ("a\tb\n1\t2", UInt8(9)), ("\"x;y\",b,c\n1,2,3", UInt8(44)),
        ])
    func guess(_ text: String, _ expected: UInt8) throws {
        #expect(DelimitedTextReader.guessDelimiter(Array(text.utf8)) == expected)
        #expect(try records(text).first?.1.count == (expected == 9 ? 2 : 3))
    }

    @Test("structural errors name line and column")
    func errors() {
        #expect(throws: DelimitedTextError.self) { try records("a,b\n1,\"open\n2,3\n") }
        do {
            _ = try records("a,b\n1,\"open\n2,3\n")
        } catch let error as DelimitedTextError {
            #expect(error.position == TextPosition(line: 2, column: 3))
            #expect(error.message.contains("never closed"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try records("a,b\n1,x\"y\n")
        } catch let error as DelimitedTextError {
            #expect(error.position == TextPosition(line: 2, column: 4))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: DelimitedTextError.self) { try records("a,b\n\"1\"x,2\n") }
    }

    /// Fields that exercise every rule: empty, plain, with the separator, quotes, a line break, CRLF, non-ASCII.
    static let fieldPool = ["", "a", "b c", "x,y", "he said \"hi\"", "two\nlines", "crlf\r\nin", "é€", "\"", "z"]
    static let table = Gen.int(in: 0...(fieldPool.count - 1)).array(of: 1...4).array(of: 0...40)

    static func csv(_ records: [[Int]], crlf: Bool) -> String {
        records.map { record in
            record.map { index -> String in
                let field = fieldPool[index]
                let quoted = field.contains { ",\"\r\n".contains($0) }
                return quoted ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: crlf ? "\r\n" : "\n")
    }

    @Test("read in parts, any text gives exactly the records and line numbers of one reading")
    func partsReadLikeTheWhole() async {
        await propertyCheck(count: 200, input: Self.table, Gen.int(in: 1...5), Gen.bool) { records, count, crlf in
            let bytes = Array(("\u{FEFF}" + Self.csv(records, crlf: crlf)).utf8)
            var whole: [(Int, [String])] = []
            var reader = DelimitedTextReader(bytes: bytes, delimiter: 44)
            do {
                try reader.forEachRecord { whole.append(($0, $1)) }
                let parts = reader.parts(count)
                #expect(parts.count <= count)
                #expect(parts.first?.range.lowerBound == 3 && parts.last?.range.upperBound == bytes.count)
                var inParts: [(Int, [String])] = []
                for (index, part) in parts.enumerated() {
                    if index > 0 { #expect(part.range.lowerBound == parts[index - 1].range.upperBound) }
                    var partReader = DelimitedTextReader(bytes: bytes, delimiter: 44)
                    try partReader.forEachRecord(in: part) { inParts.append(($0, $1)) }
                }
                #expect(inParts.map(\.0) == whole.map(\.0))
                #expect(inParts.map(\.1) == whole.map(\.1))
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("eight bytes at a time, the count of bytes equal to a pattern's is the count byte by byte")
    func bytesEqualCountsExactly() async {
        // Bytes drawn near the patterns and the high bit, where a carry or a borrow would miscount.
        let byte = Gen.int(in: 0...7).map { [0, 10, 34, 0x7F, 0x80, 0x8A, 0xA2, 0xFF][$0] as UInt8 }
        await propertyCheck(count: 500, input: byte.array(of: 8...8), Gen.bool) { bytes, quote in
            let pattern: UInt8 = quote ? 34 : 10
            let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let repeated = UInt64(pattern) &* 0x0101_0101_0101_0101
            #expect(DelimitedTextReader.bytesEqual(word, repeated) == bytes.filter { $0 == pattern }.count)
        }
    }

    @Test("a large text is cut into the parts asked for, each starting on a record")
    func partsOfALargeText() throws {
        let text = "id,note\n" + (1...3_000).map { "\($0),\"line one\nline two\"" }.joined(separator: "\n")
        let reader = DelimitedTextReader(bytes: Array(text.utf8))
        let parts = reader.parts(3)
        #expect(parts.count == 3)
        for part in parts.dropFirst() {
            var partReader = reader
            var first: (Int, [String])?
            try partReader.forEachRecord(in: part) { line, fields in if first == nil { first = (line, fields) } }
            // Records after the header take two lines each: record n (1-based) starts on line 2n.
            let number = Int(first?.1.first ?? "") ?? 0
            #expect(first?.0 == 2 * number)
            #expect(first?.1 == ["\(number)", "line one\nline two"])
        }
    }

    @Test("invalid UTF-8 is read as Windows-1252 and counted, never a crash")
    func legacyBytes() throws {
        var bytes = Array("name,city\n".utf8)
        bytes += [0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65, 0x2C, 0x80] + Array("\n".utf8)  // "Jérôme,€" in cp1252
        var reader = DelimitedTextReader(bytes: bytes)
        var rows: [[String]] = []
        try reader.forEachRecord { _, fields in rows.append(fields) }
        #expect(rows[1] == ["Jérôme", "€"])
        #expect(reader.legacyFields == 2)
        #expect(reader.legacyLines == [2])
    }

    @Test(
        "the Online Retail file: 541,909 records of 8 fields",
        .enabled(if: SharedData.available, SharedData.skipMessage))
    func onlineRetail() throws {
        var reader = DelimitedTextReader(bytes: try SharedData.gunzipped("online_retail_uci352_2010-12_2011-12.csv.gz"))
        var count = 0
        var header: [String] = []
        var wrongWidth = 0
        try reader.forEachRecord { line, fields in
            if line == 1 { header = fields } else { count += 1 }
            if fields.count != 8 { wrongWidth += 1 }
        }
        #expect(
            header == [
                "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
                "Country",
            ])
        #expect(count == 541_909)
        #expect(wrongWidth == 0)
        #expect(reader.legacyFields == 0)
    }

    @Test(
        "the mixed-encoding NPS survey reads whole and reports what it could not decode",
        .enabled(if: SharedData.available, SharedData.skipMessage))
    func mixedEncoding() throws {
        var reader = DelimitedTextReader(
            bytes: try SharedData.gunzipped("nps_garden_centre_fr.RAW_mixed_cp1252_cp850.csv.gz"))
        var count = 0
        try reader.forEachRecord { line, _ in if line > 1 { count += 1 } }
        #expect(count == 13_954)
        #expect(reader.legacyFields > 0)
        #expect(!reader.legacyLines.isEmpty)
    }
}
