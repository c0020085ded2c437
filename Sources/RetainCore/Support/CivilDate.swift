import Foundation

/// A calendar day with no time zone (`2026-11-24`), for rule conditions and birthdays.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...CivilDate.daysIn(month, year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day `instant` falls on in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        let local = instant.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: instant))
        let days = Int((local / 86_400).rounded(.down))
        self = CivilDate(daysSinceEpoch: days)
    }

    public init(daysSinceEpoch: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let weekday = (daysSinceEpoch + 3) % 7  // 1970-01-01 was a Thursday
        return (weekday < 0 ? weekday + 7 : weekday) + 1
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The same day `months` later (or earlier), clamped to the month's last day: 31 January + 1 month is
    /// 28 or 29 February.
    public func adding(months: Int) -> CivilDate {
        let index = year * 12 + (month - 1) + months
        let newYear = index >= 0 ? index / 12 : (index - 11) / 12
        let newMonth = index - newYear * 12 + 1
        let clamped = min(day, CivilDate.daysIn(newMonth, newYear))
        return CivilDate(year: newYear, month: newMonth, day: clamped) ?? self
    }

    /// `instant` moved by whole calendar months in `zone`, keeping its local time of day.
    public static func instant(_ instant: Date, addingMonths months: Int, in zone: TimeZone) -> Date {
        let day = CivilDate(instant, in: zone)
        let timeOfDay = instant.timeIntervalSince(day.start(in: zone))
        return day.adding(months: months).start(in: zone).addingTimeInterval(timeOfDay)
    }

    /// Midnight at the start of this day in `zone`, as an instant.
    public func start(in zone: TimeZone) -> Date {
        let naive = Date(timeIntervalSince1970: Double(daysSinceEpoch) * 86_400)
        let offset = zone.secondsFromGMT(for: naive)
        let guess = naive.addingTimeInterval(-Double(offset))
        return naive.addingTimeInterval(-Double(zone.secondsFromGMT(for: guess)))
    }

    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendDescription(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `description`'s bytes (`YYYY-MM-DD`) appended, without formatting a string first.
    func appendDescription(to bytes: inout [UInt8]) {
        guard (0...9999).contains(year) else {
            bytes.append(contentsOf: String(format: "%04d-%02d-%02d", year, month, day).utf8)
            return
        }
        RFC3339.appendDigits(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        RFC3339.appendDigits(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        RFC3339.appendDigits(day, width: 2, to: &bytes)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let date = CivilDate(iso: raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
