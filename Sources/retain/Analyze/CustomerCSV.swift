import Foundation
import RetainAnalytics

/// `--customers-out`: one row per customer, the columns of docs/analytics.md. Numbers use a dot and up to six
/// decimals; an empty cell is a value the analysis could not give (no money, no model). Written as bytes with a
/// hand-made number formatter: `String(format:)` costs about a microsecond a call, seconds on a million rows.
enum CustomerCSV {
    static let header = [
        "customer_id", "frequency", "recency", "T", "monetary", "p_alive", "expected_purchases", "expected_spend",
        "clv",
        "r_score", "f_score", "m_score", "segment", "stage",
    ]

    static func write(_ table: CustomerTable, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CLIError("\(path): cannot write the file (does its folder exist?)") }
        defer { try? handle.close() }
        var buffer: [UInt8] = Array((header.joined(separator: ",") + "\n").utf8)
        buffer.reserveCapacity(1 << 21)
        let segments = Dictionary(
            uniqueKeysWithValues: RFMSegment.allCases.map { ($0, Array(quoted($0.rawValue).utf8)) })
        let stages = Dictionary(uniqueKeysWithValues: LoyaltyStage.allCases.map { ($0, Array($0.rawValue.utf8)) })
        func column(_ values: [Double?], _ row: Int) {
            buffer.append(44)
            if row < values.count, let value = values[row] { appendNumber(value, to: &buffer) }
        }
        func column(_ values: [Double], _ row: Int) {
            buffer.append(44)
            if row < values.count { appendNumber(values[row], to: &buffer) }
        }
        for row in table.ids.indices {
            buffer += quoted(table.ids[row]).utf8
            column(table.frequency, row)
            column(table.recency, row)
            column(table.age, row)
            column(table.monetary, row)
            column(table.probabilityAlive, row)
            column(table.expectedPurchases, row)
            column(table.expectedSpend, row)
            column(table.clv, row)
            for score in [table.recencyScore[row], table.frequencyScore[row], table.monetaryScore[row]] {
                buffer.append(44)
                if score > 0 { buffer.append(48 + score) }
            }
            buffer.append(44)
            buffer += segments[table.segment[row]]!
            buffer.append(44)
            buffer += stages[table.stage[row]]!
            buffer.append(10)
            if buffer.count > 1 << 20 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
    }

    /// Up to six decimals, trailing zeros dropped; nothing for a value that is not finite.
    static func appendNumber(_ value: Double, to buffer: inout [UInt8]) {
        guard value.isFinite else { return }
        guard abs(value) < 1e12 else {
            buffer += String(value).utf8
            return
        }
        let scaled = Int64((abs(value) * 1_000_000).rounded())
        if value < 0 && scaled != 0 { buffer.append(45) }
        appendInteger(scaled / 1_000_000, to: &buffer)
        var fraction = scaled % 1_000_000
        guard fraction != 0 else { return }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        buffer.append(46)
        var divisor: Int64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            buffer.append(48 + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        var divisor: Int64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            buffer.append(48 + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
