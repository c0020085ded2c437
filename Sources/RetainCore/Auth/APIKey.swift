import Foundation

/// What a key may do. Each scope includes the ones below it: admin ⊃ write ⊃ read.
public enum Scope: String, Codable, Sendable, CaseIterable, Comparable {
    /// GET endpoints.
    case read
    /// Customers, orders, returns, events, redemptions.
    case write
    /// Adjustments, earning rules, program settings.
    case admin

    var rank: Int {
        switch self {
        case .read: return 0
        case .write: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }
}

/// An API key, bound to one program. Only the SHA-256 of the secret is stored; the secret is shown once.
public struct APIKey: Codable, Sendable, Equatable {
    public var id: String
    public var programID: String
    public var name: String
    /// The first characters of the secret, to tell keys apart in listings.
    public var prefix: String
    public var hash: String
    public var scope: Scope
    public var createdAt: Date
    public var revokedAt: Date?

    public init(
        id: String, programID: String, name: String, prefix: String, hash: String, scope: Scope, createdAt: Date,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.programID = programID
        self.name = name
        self.prefix = prefix
        self.hash = hash
        self.scope = scope
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case programID = "program_id"
        case name, prefix
        case hash
        case scope
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    public func allows(_ needed: Scope) -> Bool { revokedAt == nil && scope >= needed }

    /// A new secret (`rtn_` + 40 characters of Crockford base 32, 200 bits from the system CSPRNG) and its key
    /// record.
    public static func generate(programID: String, name: String, scope: Scope, ids: any IDGenerator, now: Date)
        -> (secret: String, key: APIKey)
    {
        let secret = "rtn_" + CrockfordBase32.random(count: 40)
        let key = APIKey(
            id: ids.make("key"), programID: programID, name: name, prefix: String(secret.prefix(10)),
            hash: SHA256.hex(secret), scope: scope, createdAt: now)
        return (secret, key)
    }
}
