import Foundation

/// When awarded points expire, for a whole program or one earning rule.
///
/// - `after_days`: `days` after the award.
/// - `end_of_period`: at the end of the `period` (month, quarter, year — in the program's time zone) in which the
///   award's date + `months` months falls: points earned on 10 March with 12 months and `year` expire at the end
///   of the next year.
/// - `inactivity` (programs only): `months` months after the customer's last purchase — every order moves the
///   expiry of all points under this policy to its own time + `months` months.
public struct ExpiryPolicy: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case afterDays = "after_days"
        case endOfPeriod = "end_of_period"
        case inactivity
    }

    public enum Period: String, Codable, Sendable, CaseIterable {
        case month, quarter, year
    }

    public var kind: Kind
    public var days: Int?
    public var months: Int?
    public var period: Period?

    public init(kind: Kind, days: Int? = nil, months: Int? = nil, period: Period? = nil) {
        self.kind = kind
        self.days = days
        self.months = months
        self.period = period
    }

    public static func afterDays(_ days: Int) -> ExpiryPolicy { ExpiryPolicy(kind: .afterDays, days: days) }

    /// The expiry of points awarded at `time`.
    public func expiry(from time: Date, zone: TimeZone) -> Date {
        switch kind {
        case .afterDays:
            return time.addingTimeInterval(Double(days ?? 0) * 86_400)
        case .inactivity:
            return CivilDate.instant(time, addingMonths: months ?? 0, in: zone)
        case .endOfPeriod:
            let shifted = CivilDate(time, in: zone).adding(months: months ?? 0)
            let first: CivilDate
            switch period ?? .year {
            case .month: first = CivilDate(year: shifted.year, month: shifted.month, day: 1)!.adding(months: 1)
            case .quarter:
                let quarterStart = (shifted.month - 1) / 3 * 3 + 1
                first = CivilDate(year: shifted.year, month: quarterStart, day: 1)!.adding(months: 3)
            case .year: first = CivilDate(year: shifted.year + 1, month: 1, day: 1)!
            }
            return first.start(in: zone)
        }
    }

    public func issues(prefix: String, allowInactivity: Bool) -> [FieldIssue] {
        var validator = Validator()
        switch kind {
        case .afterDays:
            validator.check((1...36_500).contains(days ?? 0), prefix + "days", "must be 1–36500")
        case .endOfPeriod:
            validator.check((0...1_200).contains(months ?? -1), prefix + "months", "must be 0–1200")
            validator.check(period != nil, prefix + "period", "is required: month, quarter or year")
        case .inactivity:
            validator.check(allowInactivity, prefix + "kind", "inactivity is a program-wide policy, not a rule's")
            validator.check((1...1_200).contains(months ?? 0), prefix + "months", "must be 1–1200")
        }
        return validator.issues
    }
}
