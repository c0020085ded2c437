import Foundation

/// The parts of a program beyond its earning rules: the tier ladder (and later stamp cards, rewards and automatic
/// rewards). Saved as numbered versions; the newest is in force.
public struct LoyaltyConfiguration: Codable, Sendable, Equatable {
    public var tiers: TierLadder?

    public init(tiers: TierLadder? = nil) {
        self.tiers = tiers
    }

    public static let empty = LoyaltyConfiguration()

    /// Whether customers need a membership record (tier standing) at all; without one, orders write nothing extra.
    public var tracksMembership: Bool { tiers != nil }

    public func issues(prefix: String = "") -> [FieldIssue] {
        tiers?.issues(prefix: prefix + "tiers.") ?? []
    }

    public func validate() throws {
        let issues = issues()
        if !issues.isEmpty { throw DomainError.invalid(issues) }
    }
}

/// One saved version of a program's configuration.
public struct ConfigurationVersion: Codable, Sendable, Equatable {
    public var version: Int
    public var configuration: LoyaltyConfiguration
    public var createdAt: Date
    /// Who saved it (the API key's name and id, or `cli`).
    public var actor: String?

    public init(version: Int, configuration: LoyaltyConfiguration, createdAt: Date, actor: String?) {
        self.version = version
        self.configuration = configuration
        self.createdAt = createdAt
        self.actor = actor
    }

    enum CodingKeys: String, CodingKey {
        case version, configuration
        case createdAt = "created_at"
        case actor
    }
}
