import Foundation

/// A request to spend points as money off an order, or on a catalogue reward. Give exactly one of `points` (spend
/// this many), `amount` (take this much off, in minor units) or `reward_id`.
public struct RedemptionRequest: Codable, Sendable, Equatable {
    public var points: Int64?
    public var amount: Int64?
    public var rewardID: String?
    /// The order the discount is for; needed when the program limits the share of an order paid with points.
    public var orderID: String?
    /// The order's total in minor units, to apply `max_redeem_share_percent`.
    public var orderTotal: Int64?
    /// Redeem as much as the rules allow instead of refusing when the request asks for more.
    public var allowPartial: Bool

    public init(
        points: Int64? = nil, amount: Int64? = nil, rewardID: String? = nil, orderID: String? = nil,
        orderTotal: Int64? = nil, allowPartial: Bool = false
    ) {
        self.points = points
        self.amount = amount
        self.rewardID = rewardID
        self.orderID = orderID
        self.orderTotal = orderTotal
        self.allowPartial = allowPartial
    }

    enum CodingKeys: String, CodingKey {
        case points, amount
        case rewardID = "reward_id"
        case orderID = "order_id"
        case orderTotal = "order_total"
        case allowPartial = "allow_partial"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        points = try container.decodeIfPresent(Int64.self, forKey: .points)
        amount = try container.decodeIfPresent(Int64.self, forKey: .amount)
        rewardID = try container.decodeIfPresent(String.self, forKey: .rewardID)
        orderID = try container.decodeIfPresent(String.self, forKey: .orderID)
        orderTotal = try container.decodeIfPresent(Int64.self, forKey: .orderTotal)
        allowPartial = try container.decodeIfPresent(Bool.self, forKey: .allowPartial) ?? false
    }
}

/// Points ↔ money at the program's point value, and the checks a redemption must pass.
///
/// Money is always rounded in the program's favour but never takes points that buy nothing: asking to spend 15
/// points at 10 points = 0.01 buys 0.01 and takes 10 points.
public enum Redemption {
    /// Money (minor units) that `points` buy: ⌊points × value.amount ÷ value.points⌋.
    public static func value(of points: Int64, at rate: PointValue) -> Int64 {
        Int64(clamping: Int128(points) * Int128(rate.amount) / Int128(rate.points))
    }

    /// Points needed to pay `amount`: ⌈amount × value.points ÷ value.amount⌉.
    public static func points(for amount: Int64, at rate: PointValue) -> Int64 {
        let numerator = Int128(amount) * Int128(rate.points)
        let denominator = Int128(rate.amount)
        return Int64(clamping: (numerator + denominator - 1) / denominator)
    }

    /// The points to take and the money they give, or a refusal with a machine-readable code.
    public static func plan(_ request: RedemptionRequest, available: Int64, settings: ProgramSettings) throws
        -> (points: Int64, amount: Int64)
    {
        var validator = Validator()
        let given = [request.points != nil, request.amount != nil, request.rewardID != nil].filter { $0 }.count
        validator.check(given == 1, "points", "give exactly one of points, amount or reward_id")
        if let points = request.points { validator.check(points > 0, "points", "must be at least 1") }
        if let amount = request.amount { validator.check(amount > 0, "amount", "must be at least 1") }
        if let total = request.orderTotal { validator.check(total >= 0, "order_total", "must not be negative") }
        if settings.maxRedeemSharePercent < 100 && request.rewardID == nil {
            validator.check(
                request.orderTotal != nil, "order_total",
                "is required: this program lets points pay at most \(settings.maxRedeemSharePercent)% of an order")
        }
        try validator.throwIfInvalid()
        if let rewardID = request.rewardID {
            throw DomainError.refused(
                code: "reward_unavailable",
                detail:
                    "catalogue rewards are redeemed with POST /v1/customers/{id}/rewards {\"reward_id\": \"\(rewardID)\"}"
            )
        }
        let rate = settings.pointValue
        var amount = request.amount ?? value(of: request.points ?? 0, at: rate)
        let currency = settings.currency
        if let total = request.orderTotal {
            let cap =
                settings.maxRedeemSharePercent < 100
                ? Int64(Int128(total) * Int128(settings.maxRedeemSharePercent) / 100) : total
            if amount > cap {
                guard request.allowPartial else {
                    throw DomainError.refused(
                        code: "exceeds_max_share",
                        detail: "points may pay at most \(currency.format(cap)) \(currency.code) of this order "
                            + "(\(settings.maxRedeemSharePercent)% of \(currency.format(total)))")
                }
                amount = cap
            }
        }
        let affordable = value(of: available, at: rate)
        if amount > affordable {
            guard request.allowPartial else {
                throw DomainError.refused(
                    code: "insufficient_points",
                    detail: "the customer has \(available) points available (worth \(currency.format(affordable)) "
                        + "\(currency.code)); this needs \(points(for: amount, at: rate))")
            }
            amount = affordable
        }
        guard amount > 0 else {
            throw DomainError.refused(
                code: "nothing_to_redeem",
                detail: "the request buys nothing: \(available) points available at \(rate.points) points = "
                    + "\(currency.format(rate.amount)) \(currency.code)")
        }
        let cost = points(for: amount, at: rate)
        if cost < settings.minRedeemPoints {
            throw DomainError.refused(
                code: "below_minimum",
                detail: "redemptions start at \(settings.minRedeemPoints) points; this is \(cost)")
        }
        return (cost, amount)
    }
}
