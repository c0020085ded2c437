import Foundation
import RetainCore

/// A whole program as one file: its earning rules and its configuration (tiers, stamp cards, rewards, automatic
/// rewards), for
/// `retain program export|load|diff`. Loading it is all or nothing.
public struct ProgramDefinition: Codable, Sendable, Equatable {
    public var rules: [EarningRule]
    public var tiers: TierLadder?
    public var stampCards: [StampCard]
    public var rewards: [Reward]
    public var automaticRewards: [AutomaticReward]

    public init(rules: [EarningRule], configuration: LoyaltyConfiguration) {
        self.rules = rules
        self.tiers = configuration.tiers
        self.stampCards = configuration.stampCards
        self.rewards = configuration.rewards
        self.automaticRewards = configuration.automaticRewards
    }

    public var configuration: LoyaltyConfiguration {
        LoyaltyConfiguration(
            tiers: tiers, stampCards: stampCards, rewards: rewards, automaticRewards: automaticRewards)
    }

    enum CodingKeys: String, CodingKey {
        case rules, tiers
        case stampCards = "stamp_cards"
        case rewards
        case automaticRewards = "automatic_rewards"
    }

    /// One value as compact JSON, for a diff line.
    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try APIJSON.encode(value), as: UTF8.self)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rules = try container.decodeIfPresent([EarningRule].self, forKey: .rules) ?? []
        tiers = try container.decodeIfPresent(TierLadder.self, forKey: .tiers)
        stampCards = try container.decodeIfPresent([StampCard].self, forKey: .stampCards) ?? []
        rewards = try container.decodeIfPresent([Reward].self, forKey: .rewards) ?? []
        automaticRewards = try container.decodeIfPresent([AutomaticReward].self, forKey: .automaticRewards) ?? []
    }
}

/// What loading a definition changed.
public struct ProgramLoadResult: Codable, Sendable, Equatable {
    public var rules: Int
    public var version: Int
    /// False when the configuration was already the one in force (no new version).
    public var newVersion: Bool

    enum CodingKeys: String, CodingKey {
        case rules, version
        case newVersion = "new_version"
    }
}

/// One difference between the program in force and a definition.
public struct ProgramChange: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case added, removed, changed }
    /// `rules.<id>`, `tiers.<id>`, `stamp_cards.<id>` or `tiers` (qualification and downgrade).
    public var path: String
    public var kind: Kind
    public var detail: String
}

extension LoyaltyService {
    public func exportProgram(program: String) async throws -> ProgramDefinition {
        let rules = try await rules(program: program)
        let configuration = try await configuration(program: program).configuration
        return ProgramDefinition(rules: rules, configuration: configuration)
    }

    /// Replaces the rules and saves the configuration in one transaction, after checking all of it: every issue is
    /// reported (`rules[2].points`, `tiers.tiers[1].threshold`) and nothing changes unless everything is valid.
    public func loadProgram(program: String, _ definition: ProgramDefinition, actor: String?) async throws
        -> ProgramLoadResult
    {
        _ = try await environment.programs.program(program)
        let (rules, ruleIssues) = Self.checked(RuleSet(rules: definition.rules))
        let issues = ruleIssues + definition.configuration.issues()
        if !issues.isEmpty { throw DomainError.invalid(issues) }
        let time = now
        let configuration = definition.configuration
        return try await store.write(program: program) { session in
            let before = try await session.configuration()?.version ?? 0
            let saved = try await Self.replace(rules, in: session, at: time)
            let version = try await Self.recordVersion(
                in: session, configuration: configuration, actor: actor, at: time)
            return ProgramLoadResult(
                rules: saved.count, version: version.version, newVersion: version.version != before)
        }
    }

    /// What loading `definition` would change, rule by rule and tier by tier.
    public func diffProgram(program: String, _ definition: ProgramDefinition) async throws -> [ProgramChange] {
        let current = try await exportProgram(program: program)
        var changes: [ProgramChange] = []
        func compare<T: Equatable & Encodable>(_ prefix: String, _ old: [T], _ new: [T], id: (T) -> String) throws {
            let before = Dictionary(old.map { (id($0), $0) }, uniquingKeysWith: { first, _ in first })
            let after = Dictionary(new.map { (id($0), $0) }, uniquingKeysWith: { first, _ in first })
            for key in Set(before.keys).union(after.keys).sorted() {
                switch (before[key], after[key]) {
                case (nil, let added?):
                    changes.append(
                        .init(path: "\(prefix).\(key)", kind: .added, detail: try ProgramDefinition.text(added)))
                case (let removed?, nil):
                    changes.append(
                        .init(path: "\(prefix).\(key)", kind: .removed, detail: try ProgramDefinition.text(removed)))
                case (let old?, let new?) where old != new:
                    changes.append(
                        .init(path: "\(prefix).\(key)", kind: .changed, detail: try ProgramDefinition.text(new)))
                default: break
                }
            }
        }
        let (rules, _) = Self.checked(RuleSet(rules: definition.rules))
        try compare("rules", current.rules, rules, id: \.id)
        try compare("tiers", current.tiers?.tiers ?? [], definition.tiers?.tiers ?? [], id: \.id)
        try compare("stamp_cards", current.stampCards, definition.stampCards, id: \.id)
        try compare("rewards", current.rewards, definition.rewards, id: \.id)
        try compare("automatic_rewards", current.automaticRewards, definition.automaticRewards, id: \.id)
        if current.tiers?.qualification != definition.tiers?.qualification
            || current.tiers?.downgrade != definition.tiers?.downgrade
        {
            let detail =
                definition.tiers.map {
                    "qualification \(((try? ProgramDefinition.text($0.qualification)) ?? "")), downgrade \(((try? ProgramDefinition.text($0.downgrade)) ?? ""))"
                } ?? "no tiers"
            changes.append(
                .init(
                    path: "tiers", kind: current.tiers == nil ? .added : definition.tiers == nil ? .removed : .changed,
                    detail: detail))
        }
        return changes
    }
}
