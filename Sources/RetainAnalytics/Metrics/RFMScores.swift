/// Recency, frequency and monetary scores 1–5 (5 = most recent, most frequent, highest spend), the named segment
/// of each customer from the recency × frequency grid, and the customer's loyalty stage.
///
/// Recency = days from the last purchase to the end of the log; frequency = transactions; monetary = revenue.
/// Tie rules (`--rfm-ties`):
/// - `ntile` (default): customers sorted from worst to best, ties broken by customer id, cut into five groups whose
///   sizes differ by at most one, the first n mod 5 groups one larger — SQL's `NTILE(5)`. Equal groups, but two
///   customers with the same value can get neighbouring scores.
/// - `shared`: score = ⌈5 × (customers at or below this value) ÷ n⌉ — equal values always share a score, so groups
///   can be very unequal and low scores empty.
public struct RFMScores: Sendable {
    public enum TieRule: String, Sendable, Codable, CaseIterable { case ntile, shared }

    public var tieRule: TieRule
    public var recencyDays: [Int32]
    public var recency: [UInt8]
    public var frequency: [UInt8]
    public var monetary: [UInt8]
    public var segment: [RFMSegment]

    public init(stats: CustomerStats, endDay: Int, tieRule: TieRule, hasMoney: Bool) {
        self.tieRule = tieRule
        let count = stats.count
        recencyDays = stats.lastDay.map { Int32(endDay) - $0 }
        // Goodness: higher is better.
        recency = Self.scores(recencyDays.map { -Int64($0) }, tieRule)
        frequency = Self.scores(stats.transactions.map(Int64.init), tieRule)
        monetary = hasMoney ? Self.scores(stats.revenue, tieRule) : [UInt8](repeating: 0, count: count)
        var segment: [RFMSegment] = []
        segment.reserveCapacity(count)
        for customer in 0..<count {
            segment.append(RFMSegment.of(recency: recency[customer], frequency: frequency[customer]))
        }
        self.segment = segment
    }

    /// Scores 1–5 of `goodness` under a tie rule; customers are in id order, so a stable sort breaks ties by id.
    static func scores(_ goodness: [Int64], _ rule: TieRule) -> [UInt8] {
        let count = goodness.count
        guard count > 0 else { return [] }
        let order = stableOrder(goodness)
        var scores = [UInt8](repeating: 0, count: count)
        switch rule {
        case .ntile:
            let base = count / 5
            let remainder = count % 5
            let big = remainder * (base + 1)
            for (position, customer) in order.enumerated() {
                let score = position < big ? position / (base + 1) + 1 : remainder + (position - big) / max(base, 1) + 1
                scores[Int(customer)] = UInt8(score)
            }
        case .shared:
            var position = 0
            while position < count {
                var end = position + 1
                while end < count && goodness[Int(order[end])] == goodness[Int(order[position])] { end += 1 }
                let score = UInt8((5 * end + count - 1) / count)  // ⌈5 × atOrBelow ÷ n⌉
                for index in position..<end { scores[Int(order[index])] = score }
                position = end
            }
        }
        return scores
    }

    /// Customer numbers sorted by goodness ascending, ties in customer order: a counting sort when the values span
    /// a small range (recency, frequency), a comparison sort otherwise.
    static func stableOrder(_ values: [Int64]) -> [Int32] {
        let minimum = values.min()!
        let maximum = values.max()!
        let span = maximum &- minimum
        if span >= 0 && span < Int64(4 * values.count + 1024) {
            var starts = [Int](repeating: 0, count: Int(span) + 2)
            for value in values { starts[Int(value - minimum) + 1] += 1 }
            for index in 1..<starts.count { starts[index] += starts[index - 1] }
            var order = [Int32](repeating: 0, count: values.count)
            for (customer, value) in values.enumerated() {
                let slot = Int(value - minimum)
                order[starts[slot]] = Int32(customer)
                starts[slot] += 1
            }
            return order
        }
        var pairs = values.enumerated().map { (value: $0.element, customer: Int32($0.offset)) }
        pairs.sort { $0.value != $1.value ? $0.value < $1.value : $0.customer < $1.customer }
        return pairs.map(\.customer)
    }
}

/// The named segments of PRODUCT.md from the recency (rows) × frequency (columns) grid:
///
/// | R \ F | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | New | Potential Loyalists | Potential Loyalists | Champions | Champions |
/// | 4 | Promising | Potential Loyalists | Potential Loyalists | Loyal | Loyal |
/// | 3 | About To Sleep | About To Sleep | Need Attention | Loyal | Loyal |
/// | 2 | Hibernating | Hibernating | At Risk | At Risk | Can't Lose Them |
/// | 1 | Lost | Hibernating | At Risk | At Risk | Can't Lose Them |
public enum RFMSegment: String, Sendable, Codable, CaseIterable {
    case champions = "Champions"
    case loyal = "Loyal"
    case potentialLoyalists = "Potential Loyalists"
    case new = "New"
    case promising = "Promising"
    case needAttention = "Need Attention"
    case aboutToSleep = "About To Sleep"
    case atRisk = "At Risk"
    case cantLoseThem = "Can't Lose Them"
    case hibernating = "Hibernating"
    case lost = "Lost"

    static let grid: [[RFMSegment]] = [
        [.lost, .hibernating, .atRisk, .atRisk, .cantLoseThem],
        [.hibernating, .hibernating, .atRisk, .atRisk, .cantLoseThem],
        [.aboutToSleep, .aboutToSleep, .needAttention, .loyal, .loyal],
        [.promising, .potentialLoyalists, .potentialLoyalists, .loyal, .loyal],
        [.new, .potentialLoyalists, .potentialLoyalists, .champions, .champions],
    ]

    public static func of(recency: UInt8, frequency: UInt8) -> RFMSegment {
        grid[Int(max(1, min(recency, 5))) - 1][Int(max(1, min(frequency, 5))) - 1]
    }

    /// What the segment means and what to do, in one line for an owner.
    public var advice: String {
        switch self {
        case .champions: return "bought recently and often: thank them, ask for reviews and referrals"
        case .loyal: return "buy regularly: offer the next tier or a members' perk"
        case .potentialLoyalists: return "recent, a few purchases: a stamp card or tier goal makes the habit"
        case .new: return "first purchase just now: a welcome series and a reason to come back"
        case .promising: return "recent but bought once: a small second-purchase incentive"
        case .needAttention: return "average on both: a personal offer before they drift"
        case .aboutToSleep: return "fading, few purchases: a reminder of what they liked"
        case .atRisk: return "used to buy often, not lately: a win-back offer now"
        case .cantLoseThem: return "were among the best, now silent: contact them personally"
        case .hibernating: return "long gone, few purchases: only low-cost reminders"
        case .lost: return "one purchase long ago: leave out of paid campaigns"
        }
    }
}

/// The loyalty stages of PRODUCT.md (aware → registered → first purchase → repeat → referrer). A transaction log
/// shows only the purchase stages; the store adds registered customers without purchases (referrers come with the
/// referral programme).
public enum LoyaltyStage: String, Sendable, Codable, CaseIterable {
    case aware
    case registered
    case firstPurchase = "first purchase"
    case repeatPurchase = "repeat"
    case referrer
}
