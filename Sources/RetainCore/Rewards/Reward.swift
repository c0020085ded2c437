import Foundation

/// A reward in the catalogue, bought with points. Redeeming it issues the customer a `RewardInstance` with a code
/// the till accepts once.
public struct Reward: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `value` minor units off an order.
        case moneyOff = "money_off"
        /// `percent` off an order.
        case percentOff = "percent_off"
        /// The product `sku` free.
        case freeProduct = "free_product"
        case freeDelivery = "free_delivery"
        /// A gift certificate worth `value` minor units.
        case giftCertificate = "gift_certificate"
        /// Something handed over in the shop (`description` says what).
        case physicalGift = "physical_gift"
    }

    public var id: String
    public var name: String
    public var kind: Kind
    /// The price in points (0: free, for rewards given by stamp cards or automatic rewards only).
    public var points: Int64
    public var value: Int64?
    public var percent: Hundredths?
    public var sku: String?
    public var description: String?
    /// How many may ever be issued (cancelled ones come back); nil: unlimited.
    public var stock: Int?
    /// How many one customer may hold (issued or used); nil: unlimited.
    public var perCustomer: Int?
    /// Redeemable from / until (inclusive start, exclusive end).
    public var availableFrom: Date?
    public var availableUntil: Date?
    /// An issued code is valid this many days (default 90).
    public var validDays: Int
    /// Only customers in one of these tiers may redeem it (empty: everyone).
    public var tiers: [String]

    public init(
        id: String, name: String, kind: Kind, points: Int64, value: Int64? = nil, percent: Hundredths? = nil,
        sku: String? = nil, description: String? = nil, stock: Int? = nil, perCustomer: Int? = nil,
        availableFrom: Date? = nil, availableUntil: Date? = nil, validDays: Int = 90, tiers: [String] = []
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.points = points
        self.value = value
        self.percent = percent
        self.sku = sku
        self.description = description
        self.stock = stock
        self.perCustomer = perCustomer
        self.availableFrom = availableFrom
        self.availableUntil = availableUntil
        self.validDays = validDays
        self.tiers = tiers
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, points, value, percent, sku, description, stock
        case perCustomer = "per_customer"
        case availableFrom = "available_from"
        case availableUntil = "available_until"
        case validDays = "valid_days"
        case tiers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decode(Kind.self, forKey: .kind)
        points = try container.decode(Int64.self, forKey: .points)
        value = try container.decodeIfPresent(Int64.self, forKey: .value)
        percent = try container.decodeIfPresent(Hundredths.self, forKey: .percent)
        sku = try container.decodeIfPresent(String.self, forKey: .sku)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        stock = try container.decodeIfPresent(Int.self, forKey: .stock)
        perCustomer = try container.decodeIfPresent(Int.self, forKey: .perCustomer)
        availableFrom = try container.decodeIfPresent(Date.self, forKey: .availableFrom)
        availableUntil = try container.decodeIfPresent(Date.self, forKey: .availableUntil)
        validDays = try container.decodeIfPresent(Int.self, forKey: .validDays) ?? 90
        tiers = try container.decodeIfPresent([String].self, forKey: .tiers) ?? []
    }

    public func issues(prefix: String, tierIDs: Set<String>) -> [FieldIssue] {
        var validator = Validator()
        validator.check(
            (1...64).contains(id.count) && !id.contains("/"), prefix + "id", "must be 1–64 characters without /")
        validator.check((1...120).contains(name.count), prefix + "name", "must be 1–120 characters")
        validator.check((0...1_000_000_000).contains(points), prefix + "points", "must be 0–1000000000")
        switch kind {
        case .moneyOff, .giftCertificate:
            if let value {
                validator.check(
                    (1...1_000_000_000_000).contains(value), prefix + "value", "must be 1–1000000000000 minor units")
            } else {
                validator.add(prefix + "value", "is required for \(kind.rawValue): the amount in minor units")
            }
        case .percentOff:
            if let percent {
                validator.check(percent.value > 0 && percent.value <= 10_000, prefix + "percent", "must be 0.01–100")
            } else {
                validator.add(prefix + "percent", "is required for percent_off")
            }
        case .freeProduct:
            validator.check(!(sku ?? "").isEmpty, prefix + "sku", "is required for free_product")
        case .freeDelivery, .physicalGift:
            break
        }
        if let stock { validator.check(stock >= 0, prefix + "stock", "must not be negative") }
        if let perCustomer { validator.check(perCustomer >= 1, prefix + "per_customer", "must be at least 1") }
        if let availableFrom, let availableUntil {
            validator.check(availableFrom < availableUntil, prefix + "available_until", "must be after available_from")
        }
        validator.check((1...3650).contains(validDays), prefix + "valid_days", "must be 1–3650")
        for (index, tier) in tiers.enumerated() where !tierIDs.contains(tier) {
            validator.add("\(prefix)tiers[\(index)]", "no tier \(tier) in the ladder")
        }
        return validator.issues
    }
}

/// A reward issued to a customer: a code the till accepts once, until it expires.
public struct RewardInstance: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case issued, used, expired, cancelled
    }

    public var id: String
    public var code: String
    public var customerID: String
    public var rewardID: String
    public var rewardName: String
    public var kind: Reward.Kind
    public var value: Int64?
    public var percent: Hundredths?
    public var sku: String?
    public var points: Int64
    public var status: Status
    public var issuedAt: Date
    public var expiresAt: Date
    /// Why it was issued: `redemption`, or the stamp card or automatic reward that gave it.
    public var source: String
    public var usedAt: Date?
    public var orderID: String?
    public var cancelledAt: Date?
    /// The ledger entry that took the points, and the one that gave them back on cancellation.
    public var entryID: String?
    public var refundEntryID: String?

    public init(
        id: String, code: String, customerID: String, reward: Reward, points: Int64, issuedAt: Date, source: String,
        entryID: String?
    ) {
        self.id = id
        self.code = code
        self.customerID = customerID
        rewardID = reward.id
        rewardName = reward.name
        kind = reward.kind
        value = reward.value
        percent = reward.percent
        sku = reward.sku
        self.points = points
        status = .issued
        self.issuedAt = issuedAt
        expiresAt = issuedAt.addingTimeInterval(Double(reward.validDays) * 86_400)
        self.source = source
        self.entryID = entryID
    }

    enum CodingKeys: String, CodingKey {
        case id, code
        case customerID = "customer_id"
        case rewardID = "reward_id"
        case rewardName = "reward_name"
        case kind, value, percent, sku, points, status
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case source
        case usedAt = "used_at"
        case orderID = "order_id"
        case cancelledAt = "cancelled_at"
        case entryID = "entry_id"
        case refundEntryID = "refund_entry_id"
    }

    /// The status as of `time`: an issued code past its date is expired even before the job writes it.
    public func status(at time: Date) -> Status {
        status == .issued && expiresAt <= time ? .expired : status
    }
}

/// Reward codes: 12 characters of Crockford base 32 (60 random bits from the system CSPRNG), shown as
/// `XXXX-XXXX-XXXX`. Typed codes are read leniently: case, spaces and dashes do not matter, and O, I and L are
/// read as 0, 1 and 1.
public enum RewardCode {
    public static func make() -> String {
        let raw = CrockfordBase32.random(count: 12)
        let characters = Array(raw)
        return String(characters[0..<4]) + "-" + String(characters[4..<8]) + "-" + String(characters[8..<12])
    }

    /// The canonical form of a typed code, or nil when it cannot be one.
    public static func normalize(_ text: String) -> String? {
        var characters: [Character] = []
        for character in text.uppercased() where character != "-" && character != " " {
            switch character {
            case "O": characters.append("0")
            case "I", "L": characters.append("1")
            default:
                guard CrockfordBase32.alphabet.contains(character.asciiValue ?? 0) else { return nil }
                characters.append(character)
            }
        }
        guard characters.count == 12 else { return nil }
        return String(characters[0..<4]) + "-" + String(characters[4..<8]) + "-" + String(characters[8..<12])
    }
}
