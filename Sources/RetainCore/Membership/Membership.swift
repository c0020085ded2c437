import Foundation

/// Everything a customer holds in the program besides points: their tier standing (and later stamp cards).
public struct Membership: Codable, Sendable, Equatable {
    public var customerID: String
    public var tier: TierStanding?
    public var stampCards: [StampCardState]
    /// Orders and money paid since memberships began (for automatic rewards).
    public var purchases: Int
    public var spend: Int64
    /// Automatic rewards already given, as `<id>` or `<id>:<occasion>`.
    public var occasions: [String]
    /// Rewards the last steps issued, for the caller to store as instances; never saved with the membership.
    public var grants: [RewardGrant] = []

    public init(customerID: String, tier: TierStanding? = nil, stampCards: [StampCardState] = []) {
        self.customerID = customerID
        self.tier = tier
        self.stampCards = stampCards
        purchases = 0
        spend = 0
        occasions = []
    }

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case tier
        case stampCards = "stamp_cards"
        case purchases, spend, occasions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        customerID = try container.decode(String.self, forKey: .customerID)
        tier = try container.decodeIfPresent(TierStanding.self, forKey: .tier)
        stampCards = try container.decodeIfPresent([StampCardState].self, forKey: .stampCards) ?? []
        purchases = try container.decodeIfPresent(Int.self, forKey: .purchases) ?? 0
        spend = try container.decodeIfPresent(Int64.self, forKey: .spend) ?? 0
        occasions = try container.decodeIfPresent([String].self, forKey: .occasions) ?? []
    }

    /// The customer's state on a card, created empty on first use.
    mutating func withCard<T>(_ id: String, _ body: (inout StampCardState) -> T) -> T {
        if let index = stampCards.firstIndex(where: { $0.cardID == id }) { return body(&stampCards[index]) }
        var state = StampCardState(cardID: id)
        let result = body(&state)
        stampCards.append(state)
        return result
    }
}

/// A catalogue reward given free by a stamp card or an automatic reward, to be issued as an instance.
public struct RewardGrant: Sendable, Equatable {
    public var reward: Reward
    public var source: String
    public var at: Date

    public init(reward: Reward, source: String, at: Date) {
        self.reward = reward
        self.source = source
        self.at = at
    }
}

/// The membership side of orders and returns: tier catch-up before an order, the tier's earn multiplier as an
/// extra award, the order's qualifying activity and an upgrade at once (with its gift) after it, and a return's
/// share taken out of the activity. Pure, like `OrderPosting`, which calls it.
public struct MembershipEngine: Sendable {
    public let configuration: LoyaltyConfiguration
    public let settings: ProgramSettings
    public let tiers: TierEngine?

    public init(configuration: LoyaltyConfiguration, settings: ProgramSettings) {
        self.configuration = configuration
        self.settings = settings
        tiers = configuration.tiers.map { TierEngine(ladder: $0, zone: settings.zone) }
    }

    /// The membership to work on: the stored one, or a fresh one starting at `time`.
    public func membership(_ stored: Membership?, customerID: String, at time: Date) -> Membership {
        var membership = stored ?? Membership(customerID: customerID)
        if let tiers, membership.tier == nil || tiers.ladder.index(of: membership.tier!.tierID) == nil {
            // New, or the tier was removed from the ladder: start again from the first tier.
            membership.tier = tiers.start(at: time)
        }
        return membership
    }

    /// The extra award of the customer's tier multiplier on what the rules gave the order, attributed to lines in
    /// proportion to their points. Nil when the tier has no multiplier or the rules gave nothing.
    public func tierBonus(for order: OrderInput, awards: [Award], membership: Membership) -> Award? {
        guard let tiers, let standing = membership.tier,
            let tier = tiers.ladder.tier(standing.effectiveTierID(at: order.placedAt)),
            let multiplier = tier.benefits.earnMultiplier, multiplier.value > 100, !awards.isEmpty
        else { return nil }
        let lineCount = awards[0].linePoints.count
        var lineTotals = [Int64](repeating: 0, count: lineCount)
        for award in awards {
            for index in 0..<min(lineCount, award.linePoints.count) { lineTotals[index] += award.linePoints[index] }
        }
        let base = lineTotals.reduce(0, +)
        let bonus = min(
            EarningEngine.maxPointsPerAward,
            Int64(Int128(base) * Int128(multiplier.value - 100) / 100))
        guard bonus > 0 else { return nil }
        let expiry = settings.lotExpiry(from: order.placedAt)
        var award = Award(
            ruleID: "tier:\(tier.id)", ruleName: "\(tier.name) tier bonus", points: bonus,
            linePoints: Apportion.split(bonus, by: lineTotals),
            maturesAt: order.placedAt.addingTimeInterval(Double(settings.pendingDays) * 86_400),
            expiresAt: expiry.expiresAt)
        award.renews = expiry.renews
        return award
    }

    /// Counts the order toward the tier (an upgrade's gift into the wallet) and stamps the cards (a full card's
    /// reward into the wallet).
    public func afterOrder(
        _ order: OrderInput, rulePoints: Int64, membership: inout Membership, wallet: inout Wallet, now: Date
    ) {
        for card in configuration.stampCards {
            let filled = membership.withCard(card.id) { StampEngine.stamp(&$0, card: card, order: order) }
            for _ in 0..<filled {
                if let points = card.reward.points {
                    wallet.credit(
                        points, kind: .earn, reason: "stamp card full: \(card.name) (order \(order.orderID))",
                        source: .stampCard, sourceID: card.id, at: order.placedAt,
                        expiry: settings.lotExpiry(from: order.placedAt), now: now)
                } else if let rewardID = card.reward.rewardID, let reward = configuration.reward(rewardID) {
                    membership.grants.append(
                        RewardGrant(reward: reward, source: "stamp_card:\(card.id)", at: order.placedAt))
                }
            }
        }
        membership.purchases += 1
        membership.spend += order.paid
        for automatic in configuration.automaticRewards {
            let due: Bool
            switch automatic.trigger {
            case .spendThreshold: due = membership.spend >= automatic.amount ?? .max
            case .nthPurchase: due = membership.purchases >= automatic.count ?? .max
            default: due = false
            }
            if due {
                give(automatic, occasion: nil, at: order.placedAt, to: &membership, wallet: &wallet, now: now)
            }
        }
        guard let tiers, var standing = membership.tier else { return }
        if tiers.recordOrder(
            &standing, orderID: order.orderID, at: order.placedAt, spend: order.paid, points: rulePoints) != nil,
            let gift = tiers.takeGift(&standing)
        {
            wallet.credit(
                gift.points, kind: .earn, reason: "upgrade gift: \(gift.tier.name)", source: .tier,
                sourceID: gift.tier.id, at: standing.since,
                expiry: settings.lotExpiry(from: standing.since), now: now)
        }
        membership.tier = standing
    }

    /// Gives an automatic reward once per occasion: points into the wallet, or a free catalogue reward. Returns
    /// false when it was given for this occasion before.
    @discardableResult
    public func give(
        _ automatic: AutomaticReward, occasion: String?, at time: Date, to membership: inout Membership,
        wallet: inout Wallet, now: Date
    ) -> Bool {
        let key = occasion.map { "\(automatic.id):\($0)" } ?? automatic.id
        guard !membership.occasions.contains(key) else { return false }
        membership.occasions.append(key)
        if let points = automatic.points {
            wallet.credit(
                points, kind: .earn, reason: automatic.name + (occasion.map { " (\($0))" } ?? ""), source: .automatic,
                sourceID: automatic.id, at: time, expiry: settings.lotExpiry(from: time), now: now)
        } else if let rewardID = automatic.rewardID, let reward = configuration.reward(rewardID) {
            membership.grants.append(RewardGrant(reward: reward, source: "automatic:\(automatic.id)", at: time))
        }
        return true
    }

    /// Takes a return's money and rule points out of the order's qualifying activity, and its stamps off the cards.
    /// - Parameter units: the units of each line this return takes back.
    public func afterReturn(
        _ order: OrderInput, units: [Int64], wholeOrderReturned: Bool, amount: Int64, rulePoints: Int64,
        membership: inout Membership
    ) {
        for card in configuration.stampCards {
            var matching: Int64 = 0
            for (index, line) in order.lines.enumerated() where index < units.count && card.conditions.matches(line) {
                matching += units[index]
            }
            membership.withCard(card.id) {
                StampEngine.takeBack(
                    &$0, card: card, orderID: order.orderID, returnedMatchingUnits: Int(min(matching, 1_000_000)),
                    wholeOrderReturned: wholeOrderReturned)
            }
        }
        guard let tiers, var standing = membership.tier else { return }
        tiers.recordReturn(&standing, orderID: order.orderID, spend: amount, points: rulePoints)
        membership.tier = standing
    }

    /// Runs reviews and override ends due by `time`.
    public func catchUp(_ membership: inout Membership, to time: Date) {
        guard let tiers, var standing = membership.tier else { return }
        tiers.catchUp(&standing, to: time)
        membership.tier = standing
    }

    /// When the scheduled job must next look at this membership.
    public func nextDue(_ membership: Membership) -> Date? {
        guard let tiers, let standing = membership.tier else { return nil }
        return tiers.nextDue(standing)
    }
}
