import Foundation

/// A loyalty program (workspace). Every record belongs to exactly one; an instance can host many side by side.
public struct Program: Codable, Sendable, Equatable {
    /// The id used in every key and index; `default` for a one-shop install.
    public var id: String
    public var name: String
    public var settings: ProgramSettings
    public var createdAt: Date

    public static let defaultID = "default"

    public init(id: String, name: String, settings: ProgramSettings, createdAt: Date) {
        self.id = id
        self.name = name
        self.settings = settings
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, settings
        case createdAt = "created_at"
    }

    /// Program ids are short slugs so they read well in URLs, logs and keys.
    public static func validateID(_ id: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard (1...40).contains(id.count), id.allSatisfy({ allowed.contains($0) }) else {
            throw DomainError.invalid("id", "use 1–40 characters from a–z, 0–9, '-' and '_'")
        }
    }
}

/// What happens to an order whose customer Retain does not know.
public enum UnknownCustomerPolicy: String, Codable, Sendable, CaseIterable {
    /// Create the customer from the contact on the order and award the points.
    case create
    /// Keep the order as `unmatched`, award nothing, until it is assigned to a customer.
    case hold
}

/// How much one point is worth when spent: `points` points buy `amount` minor units of the program currency.
public struct PointValue: Codable, Sendable, Equatable {
    public var points: Int64
    public var amount: Int64

    public init(points: Int64, amount: Int64) {
        self.points = points
        self.amount = amount
    }
}

/// The program-wide settings every rule and use case reads.
public struct ProgramSettings: Codable, Sendable, Equatable {
    /// Orders must be in this currency; points are earned on its minor units.
    public var currency: Currency
    /// The shop's time zone: "Tuesday" in a rule and the day of an event cap are read in it.
    public var timeZone: String
    /// Redemption rate (default 100 points = 1.00).
    public var pointValue: PointValue
    /// Points from orders become spendable this many days after the order (the return window); 0 = at once.
    public var pendingDays: Int
    /// Points expire this many days after their award unless the rule says otherwise; nil = never.
    public var pointsExpireAfterDays: Int?
    /// The program's expiry policy (end of a period, or after inactivity); replaces `points_expire_after_days`.
    public var pointsExpiry: ExpiryPolicy?
    /// The smallest redemption accepted, in points.
    public var minRedeemPoints: Int64
    /// At most this share of an order may be paid with points, in percent (1–100).
    public var maxRedeemSharePercent: Int
    public var unknownCustomer: UnknownCustomerPolicy

    public init(
        currency: Currency, timeZone: String = "UTC", pointValue: PointValue = PointValue(points: 100, amount: 100),
        pendingDays: Int = 0, pointsExpireAfterDays: Int? = nil, minRedeemPoints: Int64 = 0,
        maxRedeemSharePercent: Int = 100, unknownCustomer: UnknownCustomerPolicy = .create,
        pointsExpiry: ExpiryPolicy? = nil
    ) {
        self.pointsExpiry = pointsExpiry
        self.currency = currency
        self.timeZone = timeZone
        self.pointValue = pointValue
        self.pendingDays = pendingDays
        self.pointsExpireAfterDays = pointsExpireAfterDays
        self.minRedeemPoints = minRedeemPoints
        self.maxRedeemSharePercent = maxRedeemSharePercent
        self.unknownCustomer = unknownCustomer
    }

    enum CodingKeys: String, CodingKey {
        case currency
        case timeZone = "time_zone"
        case pointValue = "point_value"
        case pendingDays = "pending_days"
        case pointsExpireAfterDays = "points_expire_after_days"
        case pointsExpiry = "points_expiry"
        case minRedeemPoints = "min_redeem_points"
        case maxRedeemSharePercent = "max_redeem_share_percent"
        case unknownCustomer = "unknown_customer"
    }

    /// The program-wide expiry: `points_expiry`, else `points_expire_after_days`, else none.
    public var expiryPolicy: ExpiryPolicy? { pointsExpiry ?? pointsExpireAfterDays.map(ExpiryPolicy.afterDays) }

    /// When points awarded at `time` expire: the rule's policy (`expiry`, else `expires_after_days`) if it has one,
    /// else the program's.
    public func expiry(from time: Date, rule: EarningRule? = nil) -> Date? {
        let policy = rule?.expiry ?? rule?.expiresAfterDays.map(ExpiryPolicy.afterDays) ?? expiryPolicy
        return policy?.expiry(from: time, zone: zone)
    }

    /// Whether points under the program's policy are renewed by every purchase (`inactivity`).
    public var renewsOnActivity: Bool { expiryPolicy?.kind == .inactivity }

    /// A new lot's expiry, and whether purchases renew it (the program's `inactivity` policy, not a rule's own).
    public func lotExpiry(from time: Date, rule: EarningRule? = nil) -> LotExpiry {
        let own = rule?.expiry != nil || rule?.expiresAfterDays != nil
        return LotExpiry(expiresAt: expiry(from: time, rule: rule), renews: !own && renewsOnActivity)
    }

    /// The program's time zone (UTC if the name is unknown). Looked up once per name: building a `TimeZone` reads
    /// the zone database, and rules ask for it on every order.
    public var zone: TimeZone { TimeZoneCache.zone(named: timeZone) }

    public func validate() throws {
        var validator = Validator()
        validator.check(TimeZone(identifier: timeZone) != nil, "time_zone", "\(timeZone) is not an IANA time zone")
        validator.check((1...1_000_000_000).contains(pointValue.points), "point_value.points", "must be 1–1000000000")
        validator.check((1...1_000_000_000).contains(pointValue.amount), "point_value.amount", "must be 1–1000000000")
        validator.check((0...3650).contains(pendingDays), "pending_days", "must be between 0 and 3650")
        if let days = pointsExpireAfterDays {
            validator.check((1...36500).contains(days), "points_expire_after_days", "must be between 1 and 36500")
        }
        if let pointsExpiry {
            validator.check(
                pointsExpireAfterDays == nil, "points_expiry",
                "give either points_expiry or points_expire_after_days, not both")
            for issue in pointsExpiry.issues(prefix: "points_expiry.", allowInactivity: true) {
                validator.add(issue.field, issue.reason)
            }
        }
        validator.check(minRedeemPoints >= 0, "min_redeem_points", "must not be negative")
        validator.check((1...100).contains(maxRedeemSharePercent), "max_redeem_share_percent", "must be 1–100")
        try validator.throwIfInvalid()
    }
}

/// When a new lot expires, and whether every purchase moves that date (see `ExpiryPolicy.Kind.inactivity`).
public struct LotExpiry: Sendable, Equatable {
    public var expiresAt: Date?
    public var renews: Bool

    public init(expiresAt: Date?, renews: Bool) {
        self.expiresAt = expiresAt
        self.renews = renews
    }
}

/// `TimeZone`s by IANA name, built once.
enum TimeZoneCache {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var zones: [String: TimeZone] = [:]

    static func zone(named name: String) -> TimeZone {
        lock.withLock {
            if let zone = zones[name] { return zone }
            let zone = TimeZone(identifier: name) ?? TimeZone(identifier: "UTC")!
            zones[name] = zone
            return zone
        }
    }
}
