import Foundation

/// The parts of a program beyond its earning rules: the tier ladder (and later stamp cards, rewards and automatic
/// rewards). Saved as numbered versions; the newest is in force.
public struct LoyaltyConfiguration: Codable, Sendable, Equatable {
    public var tiers: TierLadder?
    public var stampCards: [StampCard]
    /// The rewards catalogue.
    public var rewards: [Reward]
    public var automaticRewards: [AutomaticReward]

    public init(
        tiers: TierLadder? = nil, stampCards: [StampCard] = [], rewards: [Reward] = [],
        automaticRewards: [AutomaticReward] = []
    ) {
        self.tiers = tiers
        self.stampCards = stampCards
        self.rewards = rewards
        self.automaticRewards = automaticRewards
    }

    public func reward(_ id: String) -> Reward? { rewards.first { $0.id == id } }

    public static let empty = LoyaltyConfiguration()

    enum CodingKeys: String, CodingKey {
        case tiers
        case stampCards = "stamp_cards"
        case rewards
        case automaticRewards = "automatic_rewards"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tiers = try container.decodeIfPresent(TierLadder.self, forKey: .tiers)
        stampCards = try container.decodeIfPresent([StampCard].self, forKey: .stampCards) ?? []
        rewards = try container.decodeIfPresent([Reward].self, forKey: .rewards) ?? []
        automaticRewards = try container.decodeIfPresent([AutomaticReward].self, forKey: .automaticRewards) ?? []
    }

    /// Whether customers need a membership record (tier standing, stamp cards) at all; without one, orders write
    /// nothing extra.
    public var tracksMembership: Bool { tiers != nil || !stampCards.isEmpty || !automaticRewards.isEmpty }

    public func issues(prefix: String = "") -> [FieldIssue] {
        var issues = tiers?.issues(prefix: prefix + "tiers.") ?? []
        let rewardIDs = Set(rewards.map(\.id))
        var seen: Set<String> = []
        for (index, card) in stampCards.enumerated() {
            issues += card.issues(prefix: "\(prefix)stamp_cards[\(index)].")
            if !seen.insert(card.id).inserted {
                issues.append(FieldIssue("\(prefix)stamp_cards[\(index)].id", "is used twice"))
            }
            if let rewardID = card.reward.rewardID, !rewardIDs.contains(rewardID) {
                issues.append(
                    FieldIssue(
                        "\(prefix)stamp_cards[\(index)].reward.reward_id", "no reward \(rewardID) in the catalogue"))
            }
        }
        let tierIDs = Set(tiers?.tiers.map(\.id) ?? [])
        seen = []
        for (index, reward) in rewards.enumerated() {
            issues += reward.issues(prefix: "\(prefix)rewards[\(index)].", tierIDs: tierIDs)
            if !seen.insert(reward.id).inserted {
                issues.append(FieldIssue("\(prefix)rewards[\(index)].id", "is used twice"))
            }
        }
        seen = []
        for (index, automatic) in automaticRewards.enumerated() {
            issues += automatic.issues(prefix: "\(prefix)automatic_rewards[\(index)].", rewardIDs: rewardIDs)
            if !seen.insert(automatic.id).inserted {
                issues.append(FieldIssue("\(prefix)automatic_rewards[\(index)].id", "is used twice"))
            }
        }
        return issues
    }

    public func validate() throws {
        let issues = issues()
        if !issues.isEmpty { throw DomainError.invalid(issues) }
    }
}

/// One version of a program: its configuration and earning rules as they were saved. Every change to either makes
/// a new version, and every ledger entry records the version in force when it was written.
public struct ConfigurationVersion: Codable, Sendable, Equatable {
    public var version: Int
    public var configuration: LoyaltyConfiguration
    /// The earning rules of this version.
    public var rules: [EarningRule]
    public var createdAt: Date
    /// Who saved it (the API key's name and id, or `cli`).
    public var actor: String?

    public init(
        version: Int, configuration: LoyaltyConfiguration, rules: [EarningRule] = [], createdAt: Date, actor: String?
    ) {
        self.version = version
        self.configuration = configuration
        self.rules = rules
        self.createdAt = createdAt
        self.actor = actor
    }

    enum CodingKeys: String, CodingKey {
        case version, configuration, rules
        case createdAt = "created_at"
        case actor
    }
}
