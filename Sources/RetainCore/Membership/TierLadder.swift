import Foundation

/// Status levels (a client club, or "the more you buy, the bigger the discount"): an ordered ladder of tiers,
/// each reached when the customer's qualifying value — spend or points earned in the qualification window —
/// reaches its threshold. The first tier has threshold 0 and is where every customer starts.
///
/// How a tier is kept (see `TierEngine` for the exact steps):
/// - **Upgrade at once.** After every order the value of the window ending at the order is compared with the
///   ladder; a higher tier is given immediately (the order that crosses the threshold still earns at the old
///   tier's multiplier). Its review is at the end of the window period that began then: the next 1 January for
///   `calendar_year`, the same moment `months` later for `rolling_months`; `lifetime` tiers are never reviewed.
/// - **Review.** At the review date plus `downgrade.grace_days` the value of the window ending then decides:
///   qualifying for the tier (or higher) keeps it for another period; otherwise the customer moves down one step
///   (`one_step`) or straight to the tier the value qualifies for (`to_qualifying`).
/// - **Returns** lower the qualifying value at once but never take a tier away between reviews.
public struct TierLadder: Codable, Sendable, Equatable {
    public enum Metric: String, Codable, Sendable, CaseIterable {
        /// Money paid on orders (net of discounts and returns), in minor units.
        case spend
        /// Points the earning rules gave orders, net of reversals (not the balance; tier bonuses and gifts do
        /// not count).
        case points
    }

    public enum Window: String, Codable, Sendable, CaseIterable {
        /// The last `months` months up to now.
        case rollingMonths = "rolling_months"
        /// From 1 January of the current year (in the program's time zone).
        case calendarYear = "calendar_year"
        /// Everything since the customer joined.
        case lifetime
    }

    public struct Qualification: Codable, Sendable, Equatable {
        public var metric: Metric
        public var window: Window
        /// The length of a `rolling_months` window.
        public var months: Int?

        public init(metric: Metric, window: Window, months: Int? = nil) {
            self.metric = metric
            self.window = window
            self.months = months
        }
    }

    public struct Downgrade: Codable, Sendable, Equatable {
        public enum Steps: String, Codable, Sendable, CaseIterable {
            case oneStep = "one_step"
            case toQualifying = "to_qualifying"
        }

        /// Days after the review date during which the customer can still re-qualify.
        public var graceDays: Int
        public var steps: Steps

        public init(graceDays: Int = 0, steps: Steps = .toQualifying) {
            self.graceDays = graceDays
            self.steps = steps
        }

        enum CodingKeys: String, CodingKey {
            case graceDays = "grace_days"
            case steps
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            graceDays = try container.decodeIfPresent(Int.self, forKey: .graceDays) ?? 0
            steps = try container.decodeIfPresent(Steps.self, forKey: .steps) ?? .toQualifying
        }
    }

    public struct Benefits: Codable, Sendable, Equatable {
        /// Points from orders are multiplied by this (1.5 = 50% more), as an extra award named after the tier.
        public var earnMultiplier: Hundredths?
        /// A discount the shop gives this tier on every order, in percent; Retain reports it, the till applies it.
        public var discountPercent: Hundredths?
        /// Points given once, the first time the customer reaches the tier.
        public var upgradeGiftPoints: Int64?

        public init(
            earnMultiplier: Hundredths? = nil, discountPercent: Hundredths? = nil, upgradeGiftPoints: Int64? = nil
        ) {
            self.earnMultiplier = earnMultiplier
            self.discountPercent = discountPercent
            self.upgradeGiftPoints = upgradeGiftPoints
        }

        enum CodingKeys: String, CodingKey {
            case earnMultiplier = "earn_multiplier"
            case discountPercent = "discount_percent"
            case upgradeGiftPoints = "upgrade_gift_points"
        }
    }

    public struct Tier: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        /// The qualifying value that reaches this tier (minor units for spend, points for points).
        public var threshold: Int64
        public var benefits: Benefits

        public init(id: String, name: String, threshold: Int64, benefits: Benefits = Benefits()) {
            self.id = id
            self.name = name
            self.threshold = threshold
            self.benefits = benefits
        }

        enum CodingKeys: String, CodingKey { case id, name, threshold, benefits }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            name = try container.decode(String.self, forKey: .name)
            threshold = try container.decode(Int64.self, forKey: .threshold)
            benefits = try container.decodeIfPresent(Benefits.self, forKey: .benefits) ?? Benefits()
        }
    }

    public var qualification: Qualification
    public var downgrade: Downgrade
    /// Lowest first; the first has threshold 0.
    public var tiers: [Tier]

    public init(qualification: Qualification, downgrade: Downgrade = Downgrade(), tiers: [Tier]) {
        self.qualification = qualification
        self.downgrade = downgrade
        self.tiers = tiers
    }

    enum CodingKeys: String, CodingKey { case qualification, downgrade, tiers }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        qualification = try container.decode(Qualification.self, forKey: .qualification)
        downgrade = try container.decodeIfPresent(Downgrade.self, forKey: .downgrade) ?? Downgrade()
        tiers = try container.decode([Tier].self, forKey: .tiers)
    }

    public func index(of id: String) -> Int? { tiers.firstIndex { $0.id == id } }

    public func tier(_ id: String) -> Tier? { index(of: id).map { tiers[$0] } }

    /// The highest tier whose threshold `value` reaches.
    public func qualifyingIndex(for value: Int64) -> Int {
        tiers.lastIndex { $0.threshold <= value } ?? 0
    }

    public func issues(prefix: String = "") -> [FieldIssue] {
        var validator = Validator()
        switch qualification.window {
        case .rollingMonths:
            if let months = qualification.months {
                validator.check((1...120).contains(months), prefix + "qualification.months", "must be 1–120")
            } else {
                validator.add(prefix + "qualification.months", "is required for a rolling_months window")
            }
        case .calendarYear, .lifetime:
            validator.check(
                qualification.months == nil, prefix + "qualification.months", "is only for a rolling_months window")
        }
        validator.check(
            (0...365).contains(downgrade.graceDays), prefix + "downgrade.grace_days", "must be between 0 and 365")
        validator.check(!tiers.isEmpty, prefix + "tiers", "name at least one tier")
        var seen: Set<String> = []
        for (index, tier) in tiers.enumerated() {
            let field = "\(prefix)tiers[\(index)]."
            validator.check(
                (1...64).contains(tier.id.count) && !tier.id.contains("/"), field + "id",
                "must be 1–64 characters without /")
            validator.check(seen.insert(tier.id).inserted, field + "id", "is used twice")
            validator.check((1...120).contains(tier.name.count), field + "name", "must be 1–120 characters")
            if index == 0 {
                validator.check(tier.threshold == 0, field + "threshold", "the first tier is where everyone starts: 0")
            } else {
                validator.check(
                    tier.threshold > tiers[index - 1].threshold && tier.threshold <= 1_000_000_000_000,
                    field + "threshold", "must be above the previous tier's (\(tiers[index - 1].threshold))")
            }
            if let multiplier = tier.benefits.earnMultiplier {
                validator.check(
                    (100...10_000).contains(multiplier.value), field + "benefits.earn_multiplier", "must be 1–100")
            }
            if let discount = tier.benefits.discountPercent {
                validator.check(
                    (0...10_000).contains(discount.value), field + "benefits.discount_percent", "must be 0–100")
            }
            if let gift = tier.benefits.upgradeGiftPoints {
                validator.check(
                    (1...1_000_000_000).contains(gift), field + "benefits.upgrade_gift_points", "must be 1–1000000000")
            }
        }
        return validator.issues
    }
}
