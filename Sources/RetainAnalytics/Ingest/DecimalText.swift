import Foundation

/// Exact decimal text → integer minor units, without floating point.
public enum DecimalText {
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// How to treat more decimals than the currency has.
    public enum Excess: Sendable {
        /// Refuse them unless they are zeros (`"1.250"` is fine, `"1.255"` is an error).
        case refuse
        /// Round half to even (`"0.125"` → 12, `"0.135"` → 14), the rounding of accountants and IEEE.
        case roundHalfEven
    }

    /// `"2.55"` with 2 decimals → 255; `"-3"` → -300; `"12.0"` → 1200. Anything that is not a plain decimal number
    /// throws; so do excess decimals under `.refuse`.
    public static func minorUnits(_ text: String, exponent: Int, excess: Excess = .refuse) throws -> Int64 {
        var utf8 = Substring(text).utf8[...]
        while let first = utf8.first, first == 32 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 32 { utf8 = utf8.dropLast() }
        var negative = false
        if let first = utf8.first, first == 45 || first == 43 {
            negative = first == 45
            utf8 = utf8.dropFirst()
        }
        var value: Int64 = 0
        var digits = 0
        var decimals = -1
        var firstExcess: Int64 = -1
        var excessTail = false
        for byte in utf8 {
            if byte == 46 {
                guard decimals < 0 else { throw Error(description: "\"\(text)\" has two decimal points") }
                decimals = 0
                continue
            }
            guard byte >= 48 && byte <= 57 else { throw Error(description: "\"\(text)\" is not a decimal number") }
            let digit = Int64(byte - 48)
            if decimals >= exponent {
                guard digit == 0 || excess == .roundHalfEven else {
                    throw Error(description: "\"\(text)\" has more than \(exponent) decimals")
                }
                if firstExcess < 0 { firstExcess = digit } else if digit != 0 { excessTail = true }
                decimals += 1
                continue
            }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = shifted.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { throw Error(description: "\"\(text)\" is too large") }
            value = added
            digits += 1
            if decimals >= 0 { decimals += 1 }
        }
        guard digits > 0 else { throw Error(description: "\"\(text)\" is not a number") }
        var missing = exponent - max(decimals, 0)
        while missing > 0 {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw Error(description: "\"\(text)\" is too large") }
            value = shifted
            missing -= 1
        }
        if firstExcess > 5 || (firstExcess == 5 && (excessTail || value % 2 == 1)) {
            let (rounded, overflow) = value.addingReportingOverflow(1)
            guard !overflow else { throw Error(description: "\"\(text)\" is too large") }
            value = rounded
        }
        return negative ? -value : value
    }

    /// A whole number such as `"6"`, `"-12"`, `"+3"`.
    public static func integer(_ text: String) throws -> Int64 {
        let trimmed = text.trimmedASCIISpaces
        guard let value = Int64(trimmed.hasPrefix("+") ? Substring(trimmed.dropFirst()) : trimmed) else {
            throw Error(description: "\"\(text)\" is not a whole number")
        }
        return value
    }
}

extension String {
    /// Without leading and trailing ASCII spaces and tabs; cheap, for fields read by the million.
    public var trimmedASCIISpaces: Substring {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 32 || utf8[start] == 9 { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)] == 32 || utf8[utf8.index(before: end)] == 9 {
            end = utf8.index(before: end)
        }
        return self[start..<end]
    }

    /// `trimmedASCIISpaces` as a `String`: the string itself (no copy) when there is nothing to trim, as in nearly
    /// every field of a machine-written file.
    public var trimmingASCIISpaces: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first != 32 && first != 9 && last != 32 && last != 9 { return self }
        return String(trimmedASCIISpaces)
    }
}
