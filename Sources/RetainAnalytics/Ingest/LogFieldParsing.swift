import Foundation

/// Byte-level readers for the fields of a transaction log: no `String` per field on the fast paths, because a
/// 10-million-row log has 40 million fields.
enum LogFieldParsing {
    /// Money and quantities are read exactly as integers of 1/10,000 (four decimals): enough for unit prices with
    /// fractions of a cent, and quantity × price stays exact.
    static let scale: Int64 = 10_000

    /// A plain decimal (`-12.5`, `3`, `0.1275`; a comma works as the decimal mark when the file is not
    /// comma-separated) in units of 1/10,000, more decimals rounded half to even; nil when not a number.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, commaDecimal: Bool) -> Int64? {
        var index = start
        var last = end
        while index < last && bytes[index] == 32 { index += 1 }
        while last > index && bytes[last - 1] == 32 { last -= 1 }
        guard index < last else { return nil }
        var negative = false
        if bytes[index] == 45 || bytes[index] == 43 {
            negative = bytes[index] == 45
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        var decimals = -1
        var roundDigit: UInt8 = 0
        var sticky = false
        while index < last {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                if decimals < 0 || decimals < 4 {
                    guard digits < 17 else { return nil }
                    value = value * 10 + Int64(byte - 48)
                    digits += 1
                    if decimals >= 0 { decimals += 1 }
                } else if decimals == 4 {
                    roundDigit = byte - 48
                    decimals += 1
                } else if byte != 48 {
                    sticky = true
                }
            } else if (byte == 46 || (commaDecimal && byte == 44)) && decimals < 0 {
                decimals = 0
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        var places = max(decimals, 0)
        if places > 4 { places = 4 }
        while places < 4 {
            value *= 10
            places += 1
        }
        if roundDigit > 5 || (roundDigit == 5 && (sticky || value % 2 == 1)) { value += 1 }
        return negative ? -value : value
    }

    /// A customer or order id: `value` ≥ 0 for a plain number without leading zeros (no string is made), nil when
    /// the field is empty; otherwise the text, to be interned by the caller.
    enum Key {
        case number(Int64)
        case text(String)
        case missing
    }

    static func key(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Key {
        var index = start
        var last = end
        while index < last && bytes[index] == 32 { index += 1 }
        while last > index && bytes[last - 1] == 32 { last -= 1 }
        guard index < last else { return .missing }
        let length = last - index
        if length <= 18 && (bytes[index] != 48 || length == 1) {
            var value: Int64 = 0
            var numeric = true
            for position in index..<last {
                let byte = bytes[position]
                guard byte >= 48 && byte <= 57 else {
                    numeric = false
                    break
                }
                value = value * 10 + Int64(byte - 48)
            }
            if numeric { return .number(value) }
        }
        return .text(text(bytes, index, last))
    }

    /// The field as text: UTF-8, or Windows-1252 when it is not valid UTF-8 (the caller counts those).
    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if let text = String(validating: slice, as: UTF8.self) { return text }
        return Windows1252.decode(slice)
    }

    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        for index in start..<end where bytes[index] >= 0x80 {
            return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) != nil
        }
        return true
    }

    /// A 64-bit hash of a whole row's bytes, to find exact duplicate rows (`ByteHash`).
    static func rowHash(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var hash = ByteHash()
        hash.add(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        return hash.value
    }
}

/// How the date column is read: fast paths for the usual ISO and compact layouts, a pattern for anything else.
/// Only the calendar day is kept (in the log's own local time; an offset or time of day does not move it).
enum LogDateReader: Sendable {
    /// `yyyyMMdd`
    case compact
    /// `yyyy-MM-dd`, optionally followed by a time (`T` or space).
    case iso
    /// Any other pattern of `TimestampText`, read as UTC wall time.
    case pattern(TimestampText)

    init(pattern: String) {
        switch pattern {
        case "yyyyMMdd": self = .compact
        case "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm": self = .iso
        default: self = .pattern(TimestampText(pattern: pattern, zone: TimeZone(identifier: "UTC")!))
        }
    }

    func day(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var index = start
        var last = end
        while index < last && bytes[index] == 32 { index += 1 }
        while last > index && bytes[last - 1] == 32 { last -= 1 }
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= last else { return nil }
            var value = 0
            for position in from..<(from + count) {
                let byte = bytes[position]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        switch self {
        case .compact:
            guard last - index == 8, let y = digits(index, 4), let m = digits(index + 4, 2),
                let d = digits(index + 6, 2), CivilDay.valid(y, m, d)
            else { return nil }
            return CivilDay.day(year: y, month: m, day: d)
        case .iso:
            guard last - index >= 10, bytes[index + 4] == 45, bytes[index + 7] == 45,
                last - index == 10 || bytes[index + 10] == 32 || bytes[index + 10] == 84,
                let y = digits(index, 4), let m = digits(index + 5, 2), let d = digits(index + 8, 2),
                CivilDay.valid(y, m, d)
            else { return nil }
            return CivilDay.day(year: y, month: m, day: d)
        case .pattern(let parser):
            guard let date = try? parser.parse(LogFieldParsing.text(bytes, index, last)) else { return nil }
            return Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        }
    }
}
