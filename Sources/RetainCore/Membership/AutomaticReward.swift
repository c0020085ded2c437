import Foundation

/// A reward given by the ledger or the calendar, once per occasion: points, or a catalogue reward issued free.
///
/// | trigger | occasion | when |
/// |---|---|---|
/// | `birthday` | once a year | on the birthday, at the start of the birthday month (`lead: month_start`) or `days` days before (`lead: days_before`), in the customer's time zone (else the program's) |
/// | `anniversary` | each year of membership (only the `years`th when given) | on the day the customer joined, N years later |
/// | `spend_threshold` | once | the order that takes the customer's spend to `amount` |
/// | `nth_purchase` | once | the customer's `count`th order |
/// | `first_event` | once | the customer's first `event_name` event (a first review) |
///
/// Spend and purchases are counted from the first order after memberships began (tiers, cards or automatic
/// rewards configured). Welcome gifts and completed profiles are the earning rules `signup_bonus` and
/// `profile_completed`.
public struct AutomaticReward: Codable, Sendable, Equatable {
    public enum Trigger: String, Codable, Sendable, CaseIterable {
        case birthday, anniversary
        case spendThreshold = "spend_threshold"
        case nthPurchase = "nth_purchase"
        case firstEvent = "first_event"
    }

    public enum Lead: String, Codable, Sendable, CaseIterable {
        case birthday
        case monthStart = "month_start"
        case daysBefore = "days_before"
    }

    public var id: String
    public var name: String
    public var trigger: Trigger
    public var points: Int64?
    public var rewardID: String?
    public var lead: Lead?
    public var days: Int?
    public var years: Int?
    public var amount: Int64?
    public var count: Int?
    public var eventName: String?

    public init(
        id: String, name: String, trigger: Trigger, points: Int64? = nil, rewardID: String? = nil, lead: Lead? = nil,
        days: Int? = nil, years: Int? = nil, amount: Int64? = nil, count: Int? = nil, eventName: String? = nil
    ) {
        self.id = id
        self.name = name
        self.trigger = trigger
        self.points = points
        self.rewardID = rewardID
        self.lead = lead
        self.days = days
        self.years = years
        self.amount = amount
        self.count = count
        self.eventName = eventName
    }

    enum CodingKeys: String, CodingKey {
        case id, name, trigger, points
        case rewardID = "reward_id"
        case lead, days, years, amount, count
        case eventName = "event_name"
    }

    public func issues(prefix: String, rewardIDs: Set<String>) -> [FieldIssue] {
        var validator = Validator()
        validator.check(
            (1...64).contains(id.count) && !id.contains("/") && !id.contains(":"), prefix + "id",
            "must be 1–64 characters without / or :")
        validator.check((1...120).contains(name.count), prefix + "name", "must be 1–120 characters")
        switch (points, rewardID) {
        case (let points?, nil):
            validator.check((1...1_000_000_000).contains(points), prefix + "points", "must be 1–1000000000")
        case (nil, let reward?):
            validator.check(rewardIDs.contains(reward), prefix + "reward_id", "no reward \(reward) in the catalogue")
        default: validator.add(prefix + "points", "give exactly one of points or reward_id")
        }
        switch trigger {
        case .birthday:
            if (lead ?? .birthday) == .daysBefore {
                validator.check((1...60).contains(days ?? 0), prefix + "days", "must be 1–60 for lead days_before")
            }
        case .anniversary:
            if let years { validator.check((1...100).contains(years), prefix + "years", "must be 1–100") }
        case .spendThreshold:
            validator.check(
                (1...1_000_000_000_000).contains(amount ?? 0), prefix + "amount", "must be 1–10^12 minor units")
        case .nthPurchase:
            validator.check((1...100_000).contains(count ?? 0), prefix + "count", "must be 1–100000")
        case .firstEvent:
            validator.check(
                (1...64).contains(eventName?.count ?? 0), prefix + "event_name", "is required (1–64 characters)")
        }
        return validator.issues
    }

    /// The day this year's (`year`) birthday reward is due for a birthday of `month`/`day` (29 February is the 28th
    /// in other years).
    public func birthdayDueDay(month: Int, day: Int, year: Int) -> CivilDate {
        let birthday =
            CivilDate(year: year, month: month, day: day) ?? CivilDate(year: year, month: month, day: day - 1)!
        switch lead ?? .birthday {
        case .birthday: return birthday
        case .monthStart: return CivilDate(year: year, month: month, day: 1)!
        case .daysBefore: return birthday.adding(days: -(days ?? 0))
        }
    }
}
