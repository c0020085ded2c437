import Foundation

/// Reads local or offset timestamps in a fixed pattern, fast enough for millions of rows: the calendar arithmetic
/// is done here and the time zone's offset is looked up once per hour of local time (exactly near a transition).
///
/// Pattern tokens: `yyyy`, `MM`/`M`, `dd`/`d`, `HH`/`H`, `mm`, `ss`; anything else must match literally. A time
/// without an offset is read in `zone`; in an overlap the earlier instant wins.
/// A local time in a DST gap is read with the offset in force before the change, so it moves forward by the gap
/// (02:30 on a spring-forward night in Warsaw is 03:30 CEST), as PostgreSQL and java.time read it.
public final class TimestampText: @unchecked Sendable {
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private enum Token { case year, month, day, hour, minute, second, literal(UInt8) }

    public let pattern: String
    private let tokens: [Token]
    private let zone: TimeZone
    private var offsets: [Int: Int] = [:]
    private let lock = NSLock()

    /// Patterns tried by `guess`, in this order; day-first and month-first are told apart by a part above 12.
    public static let commonPatterns = [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyyMMdd",
        "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm", "M/d/yyyy", "d/M/yyyy H:mm", "d/M/yyyy", "d.M.yyyy H:mm", "d.M.yyyy",
    ]

    public init(pattern: String, zone: TimeZone) {
        self.pattern = pattern
        self.zone = zone
        var tokens: [Token] = []
        var rest = Substring(pattern)
        let names: [(String, Token)] = [
            ("yyyy", .year), ("MM", .month), ("M", .month), ("dd", .day), ("d", .day),
            ("HH", .hour), ("H", .hour), ("mm", .minute), ("ss", .second),
        ]
        while !rest.isEmpty {
            if let (name, token) = names.first(where: { rest.hasPrefix($0.0) }) {
                tokens.append(token)
                rest = rest.dropFirst(name.count)
            } else {
                for byte in String(rest.first!).utf8 { tokens.append(.literal(byte)) }
                rest = rest.dropFirst()
            }
        }
        self.tokens = tokens
    }

    /// The first common pattern that reads every sample, preferring the one whose day/month order the samples prove.
    public static func guess(samples: [String]) -> String? {
        let utc = TimeZone(identifier: "UTC")!
        return commonPatterns.first { pattern in
            let parser = TimestampText(pattern: pattern, zone: utc)
            return !samples.isEmpty && samples.allSatisfy { (try? parser.parse($0)) != nil }
        }
    }

    public func parse(_ text: String) throws -> Date {
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0
        var bytes = Substring(text).utf8[...]
        while let last = bytes.last, last == 32 { bytes = bytes.dropLast() }
        var index = bytes.startIndex
        func number(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while index < bytes.endIndex, digits < maxDigits, bytes[index] >= 48 && bytes[index] <= 57 {
                value = value * 10 + Int(bytes[index] - 48)
                digits += 1
                index = bytes.index(after: index)
            }
            return digits == 0 ? nil : value
        }
        for token in tokens {
            switch token {
            case .year: guard let value = number(maxDigits: 4) else { throw failure(text) }; year = value
            case .month: guard let value = number(maxDigits: 2) else { throw failure(text) }; month = value
            case .day: guard let value = number(maxDigits: 2) else { throw failure(text) }; day = value
            case .hour: guard let value = number(maxDigits: 2) else { throw failure(text) }; hour = value
            case .minute: guard let value = number(maxDigits: 2) else { throw failure(text) }; minute = value
            case .second: guard let value = number(maxDigits: 2) else { throw failure(text) }; second = value
            case .literal(let byte):
                guard index < bytes.endIndex, bytes[index] == byte else { throw failure(text) }
                index = bytes.index(after: index)
            }
        }
        guard index == bytes.endIndex, (1...12).contains(month), (1...Self.days(month, year)).contains(day), hour < 24,
            minute < 60, second < 60
        else { throw failure(text) }
        let naive = Self.daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(naive - offset(forLocal: naive)))
    }

    private func failure(_ text: String) -> Error {
        Error(description: "\"\(text)\" does not match the date format \(pattern)")
    }

    private func offset(forLocal naive: Int) -> Int {
        let hourKey = naive >= 0 ? naive / 3600 : (naive - 3599) / 3600
        if let cached = lock.withLock({ offsets[hourKey] }) { return cached }
        // An hour with the same offset a day before and a day after is far from any transition: every local time
        // in it has that one offset, so it is cached. Hours near a transition are resolved exactly, time by time.
        let start = hourKey * 3600
        let before = secondsFromGMT(start - 86_400)
        let after = secondsFromGMT(start + 86_400)
        if before == after, secondsFromGMT(start - before) == before {
            lock.withLock { offsets[hourKey] = before }
            return before
        }
        return exactOffset(forLocal: naive)
    }

    /// The offsets a local time could have are those in force a day either side of it; a candidate is real when
    /// the instant it gives has that offset. Of two real ones (an overlap) the larger offset gives the earlier
    /// instant; with none (a gap) the offset before the change is used, so the wall time moves forward.
    private func exactOffset(forLocal naive: Int) -> Int {
        let earlier = secondsFromGMT(naive - 86_400)
        let later = secondsFromGMT(naive + 86_400)
        let real = [earlier, later].filter { secondsFromGMT(naive - $0) == $0 }
        return real.max() ?? earlier
    }

    private func secondsFromGMT(_ instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    static func days(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
