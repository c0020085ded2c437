import Foundation

/// Points one rule gives for one order, with the part each line earned (so a return of a line takes back exactly
/// that line's share).
public struct Award: Codable, Sendable, Equatable {
    public var ruleID: String
    public var ruleName: String
    public var points: Int64
    /// One entry per order line (one for an order without lines); adds up to `points`.
    public var linePoints: [Int64]
    public var maturesAt: Date
    public var expiresAt: Date?
    /// Purchases move the expiry (the program's `inactivity` policy); not part of the answer.
    public var renews = false

    public init(ruleID: String, ruleName: String, points: Int64, linePoints: [Int64], maturesAt: Date, expiresAt: Date?)
    {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.points = points
        self.linePoints = linePoints
        self.maturesAt = maturesAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case ruleName = "rule_name"
        case points
        case linePoints = "line_points"
        case maturesAt = "matures_at"
        case expiresAt = "expires_at"
    }
}

/// Works out what an order earns. Pure: the same order, rules and settings always give the same awards.
///
/// Evaluation order:
/// 1. `exclusion` rules in effect remove matching lines from every order rule.
/// 2. Each `points_per_amount` and `cashback` rule in effect (by priority, then id) values every eligible line it
///    matches exactly (as a fraction).
/// 3. Each line's value is multiplied by the highest `multiplier` in effect that matches the line (multipliers do
///    not stack).
/// 4. The rule's total over the lines is rounded once, by the rule's rounding; the rounded points are attributed to
///    lines by largest remainder.
/// 5. Each `order_bonus` rule in effect (by priority, then id) adds its fixed points, attributed to eligible lines in
///    proportion to their amounts.
/// Dates and weekdays are the order's day in the program time zone; `min_order_amount` compares with the order
/// total. Rules that would award 0 points are left out.
public enum EarningEngine {
    /// No single award is larger than this (a trillion points), whatever the rules say, so balances stay far
    /// from the limits of 64-bit integers.
    public static let maxPointsPerAward: Int64 = 1_000_000_000_000

    public static func evaluate(order: OrderInput, rules: [EarningRule], settings: ProgramSettings) -> [Award] {
        let day = CivilDate(order.placedAt, in: settings.zone)
        // Rules and lines are used by index, not copied: this runs for every order of an import.
        let inEffect = rules.indices.filter {
            rules[$0].isInEffect(on: day) && (rules[$0].conditions.minOrderAmount ?? 0) <= order.paid
        }.sorted { (rules[$0].priority, rules[$0].id) < (rules[$1].priority, rules[$1].id) }
        /// Whether `rule` matches line `index` (an order without lines is one line that has no SKU or category).
        func matches(_ rule: Int, _ index: Int) -> Bool {
            guard !order.lines.isEmpty else { return rules[rule].conditions.matches(nil) }
            return rules[rule].conditions.matches(sku: order.lines[index].sku, category: order.lines[index].category)
        }
        let lineCount = max(order.lines.count, 1)
        let amounts = order.netLineAmounts
        let exclusions = inEffect.filter { rules[$0].kind == .exclusion }
        let multipliers = inEffect.filter { rules[$0].kind == .multiplier }
        let eligible = (0..<lineCount).map { line in !exclusions.contains { matches($0, line) } }
        let factors: [Int128] = (0..<lineCount).map { line in
            Int128(multipliers.filter { matches($0, line) }.compactMap { rules[$0].factor?.value }.max() ?? 100)
        }

        var awards: [Award] = []
        func award(_ rule: EarningRule, _ points: Int64, _ linePoints: [Int64]) {
            guard points > 0 else { return }
            let expiry = settings.lotExpiry(from: order.placedAt, rule: rule)
            var award = Award(
                ruleID: rule.id, ruleName: rule.name, points: points, linePoints: linePoints,
                maturesAt: order.placedAt.addingTimeInterval(Double(settings.pendingDays) * 86_400),
                expiresAt: expiry.expiresAt)
            award.renews = expiry.renews
            awards.append(award)
        }

        for index in inEffect where rules[index].kind == .pointsPerAmount || rules[index].kind == .cashback {
            let rule = rules[index]
            // value_l = amount_l × numerator / denominator × factor_l / 100, kept as an exact fraction.
            let numerator: Int128
            let denominator: Int128
            if rule.kind == .pointsPerAmount {
                numerator = Int128(rule.points ?? 0)
                denominator = Int128(rule.perAmount ?? 1) * 100
            } else {
                numerator = Int128(rule.percent?.value ?? 0) * Int128(settings.pointValue.points)
                denominator = 10_000 * Int128(settings.pointValue.amount) * 100
            }
            let lineValues: [Int128] = (0..<lineCount).map { line in
                guard eligible[line], matches(index, line), amounts[line] > 0 else { return 0 }
                return Int128(amounts[line]) * numerator * factors[line]
            }
            let exactSum = lineValues.reduce(0, +)
            let total = round(exactSum, denominator, rule.rounding)
            award(rule, total, Apportion.split(total, weights: lineValues))
        }
        for index in inEffect where rules[index].kind == .orderBonus {
            let weights: [Int128] = (0..<lineCount).map { line in
                eligible[line] && matches(index, line) ? Int128(max(amounts[line], 0)) : 0
            }
            guard weights.contains(where: { $0 > 0 }) || (lineCount == 1 && eligible[0] && matches(index, 0))
            else { continue }
            let rule = rules[index]
            let points = rule.points ?? 0
            award(rule, points, Apportion.split(points, weights: weights))
        }
        return awards
    }

    /// Points for a custom event from the `event` rules in effect that name it; caps are checked by the caller, who
    /// knows how often each rule already paid this customer.
    public static func eventRules(named name: String, on day: CivilDate, rules: [EarningRule]) -> [EarningRule] {
        rules.filter { $0.kind == .event && $0.eventName == name && $0.isInEffect(on: day) }
            .sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
    }

    /// The first moment of the cap period that contains `instant`, in `zone` (weeks start on Monday).
    public static func capPeriodStart(_ period: EarningRule.Cap.Period, containing instant: Date, in zone: TimeZone)
        -> Date
    {
        let day = CivilDate(instant, in: zone)
        switch period {
        case .day: return day.start(in: zone)
        case .week: return day.adding(days: 1 - day.isoWeekday).start(in: zone)
        case .month: return CivilDate(year: day.year, month: day.month, day: 1)!.start(in: zone)
        }
    }

    static func round(_ numerator: Int128, _ denominator: Int128, _ rounding: EarningRule.Rounding) -> Int64 {
        guard numerator > 0 else { return 0 }
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        let result: Int128
        switch rounding {
        case .floor: result = quotient
        case .ceil: result = remainder > 0 ? quotient + 1 : quotient
        case .nearest: result = remainder * 2 >= denominator ? quotient + 1 : quotient
        }
        return Int64(min(result, Int128(maxPointsPerAward)))
    }
}
