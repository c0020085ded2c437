/// Calendar days as integers (days since 1970-01-01), the time resolution of the analytics: a transaction log is
/// read to the day, in the log's own local time, and every period (week, month, quarter, year) is a range of days.
public enum CivilDay {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func day(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The (year, month, day) of a day number.
    public static func civil(_ day: Int) -> (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `YYYY-MM-DD`.
    public static func text(_ day: Int) -> String {
        let (y, m, d) = civil(day)
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// Reads `YYYY-MM-DD` (the whole text), or nil.
    public static func parse(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 48 && bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), valid(y, m, d) else { return nil }
        return day(year: y, month: m, day: d)
    }

    /// Whether the date exists (1 ≤ month ≤ 12, the day within its month).
    public static func valid(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard month >= 1 && month <= 12 && day >= 1 else { return false }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return day <= (month == 2 && leap ? 29 : lengths[month - 1])
    }

    /// Floor division, for day arithmetic before 1970.
    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

/// The period grid of the metrics and cohorts.
public enum PeriodUnit: String, Sendable, Codable, CaseIterable {
    case week, month, quarter, year

    /// The period a day falls in, as a consecutive integer (weeks start on Monday).
    public func index(ofDay day: Int) -> Int {
        switch self {
        case .week: return CivilDay.floorDiv(day - 4, 7)  // 1970-01-05 was a Monday
        case .month:
            let (y, m, _) = CivilDay.civil(day)
            return y * 12 + m - 1
        case .quarter:
            let (y, m, _) = CivilDay.civil(day)
            return y * 4 + (m - 1) / 3
        case .year: return CivilDay.civil(day).year
        }
    }

    /// The first day of a period.
    public func firstDay(ofPeriod index: Int) -> Int {
        switch self {
        case .week: return index * 7 + 4
        case .month:
            return CivilDay.day(
                year: CivilDay.floorDiv(index, 12), month: index - CivilDay.floorDiv(index, 12) * 12 + 1, day: 1)
        case .quarter:
            let year = CivilDay.floorDiv(index, 4)
            return CivilDay.day(year: year, month: (index - year * 4) * 3 + 1, day: 1)
        case .year: return CivilDay.day(year: index, month: 1, day: 1)
        }
    }

    /// The last day of a period.
    public func lastDay(ofPeriod index: Int) -> Int { firstDay(ofPeriod: index + 1) - 1 }

    /// How a period is named in tables: `2024-W07`, `2024-02`, `2024-Q1`, `2024`.
    public func label(ofPeriod index: Int) -> String {
        switch self {
        case .week:
            let first = CivilDay.civil(firstDay(ofPeriod: index) + 3)  // the ISO week's Thursday names its year
            let week = (firstDay(ofPeriod: index) + 3 - CivilDay.day(year: first.year, month: 1, day: 1)) / 7 + 1
            return "\(first.year)-W\(week < 10 ? "0" : "")\(week)"
        case .month:
            let year = CivilDay.floorDiv(index, 12)
            let month = index - year * 12 + 1
            return "\(year)-\(month < 10 ? "0" : "")\(month)"
        case .quarter:
            let year = CivilDay.floorDiv(index, 4)
            return "\(year)-Q\(index - year * 4 + 1)"
        case .year: return "\(index)"
        }
    }
}
