import Foundation

/// One movement of points. The ledger is append-only: a correction is a new entry, never an edit, and a customer's
/// balance is the sum of their entries.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case earn, redeem, expire, reverse, adjust
    }

    /// What caused the entry.
    public enum SourceType: String, Codable, Sendable, CaseIterable {
        case order, `return`, event, signup, profile, redemption, admin, expiry, tier
        case stampCard = "stamp_card"
        case automatic
    }

    public var id: String
    public var programID: String
    public var customerID: String
    public var kind: Kind
    /// Positive for earn and positive adjustments, negative for the rest.
    public var points: Int64
    public var reason: String
    public var sourceType: SourceType
    /// The order, return, event, redemption or rule id behind the entry.
    public var sourceID: String?
    /// Who made an admin adjustment (the API key's name and id).
    public var actor: String?
    /// When the movement takes effect (the order's time, the lot's expiry …).
    public var at: Date
    /// The lot a positive entry created.
    public var lotID: String?
    /// The earning rule that awarded the points, for earn entries.
    public var ruleID: String?
    /// When Retain wrote the entry.
    public var createdAt: Date
    /// The program version (rules and configuration) in force when the entry was written; set by the store.
    public var programVersion: Int?

    public init(
        id: String, programID: String, customerID: String, kind: Kind, points: Int64, reason: String,
        sourceType: SourceType, sourceID: String?, actor: String? = nil, at: Date, lotID: String? = nil,
        ruleID: String? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.programID = programID
        self.customerID = customerID
        self.kind = kind
        self.points = points
        self.reason = reason
        self.sourceType = sourceType
        self.sourceID = sourceID
        self.actor = actor
        self.at = at
        self.lotID = lotID
        self.ruleID = ruleID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case programID = "program_id"
        case customerID = "customer_id"
        case kind, points, reason
        case sourceType = "source_type"
        case sourceID = "source_id"
        case actor, at
        case lotID = "lot_id"
        case ruleID = "rule_id"
        case createdAt = "created_at"
        case programVersion = "program_version"
    }
}

/// Points from one award, with their own maturity and expiry. Spending draws from lots; `remaining` is what is
/// left. The sum of a customer's `remaining` always equals the sum of their entries.
public struct PointLot: Codable, Sendable, Equatable {
    public var id: String
    public var programID: String
    public var customerID: String
    public var points: Int64
    public var remaining: Int64
    public var awardedAt: Date
    /// Pending until then (the return window).
    public var maturesAt: Date
    public var expiresAt: Date?
    /// The entry that created the lot.
    public var entryID: String
    /// Under the program's `inactivity` policy: every purchase moves `expiresAt` later.
    public var renews: Bool

    public init(
        id: String, programID: String, customerID: String, points: Int64, remaining: Int64, awardedAt: Date,
        maturesAt: Date, expiresAt: Date?, entryID: String, renews: Bool = false
    ) {
        self.renews = renews
        self.id = id
        self.programID = programID
        self.customerID = customerID
        self.points = points
        self.remaining = remaining
        self.awardedAt = awardedAt
        self.maturesAt = maturesAt
        self.expiresAt = expiresAt
        self.entryID = entryID
    }

    public func isExpired(at time: Date) -> Bool { expiresAt.map { $0 <= time } ?? false }
    public func isPending(at time: Date) -> Bool { maturesAt > time }
}

/// How many points a negative entry took from which lot.
public struct LotDraw: Codable, Sendable, Equatable {
    public var entryID: String
    public var lotID: String
    public var points: Int64

    public init(entryID: String, lotID: String, points: Int64) {
        self.entryID = entryID
        self.lotID = lotID
        self.points = points
    }
}

/// Everything a use case wants written to the ledger, gathered so it is written in one transaction (or, on the
/// import path, in one batch).
public struct LedgerChanges: Sendable, Equatable {
    public var entries: [LedgerEntry] = []
    public var newLots: [PointLot] = []
    /// Lots that existed before and whose `remaining` changed, by id, with the new value.
    public var lotRemaining: [String: Int64] = [:]
    /// Lots that existed before and whose expiry a purchase moved (`inactivity` policy), with the new expiry.
    public var lotExpiry: [String: Date] = [:]
    public var draws: [LotDraw] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    public mutating func append(_ other: LedgerChanges) {
        entries += other.entries
        newLots += other.newLots
        lotRemaining.merge(other.lotRemaining) { _, new in new }
        lotExpiry.merge(other.lotExpiry) { _, new in new }
        draws += other.draws
    }
}
