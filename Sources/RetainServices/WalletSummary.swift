import Foundation
import RetainCore

/// A customer's points at a moment: what they can spend, what is still pending, and what expires next.
public struct WalletSummary: Codable, Sendable, Equatable {
    public struct Expiry: Codable, Sendable, Equatable {
        public var date: String
        public var points: Int64
    }

    public var customerID: String
    /// Sum of all ledger entries.
    public var balance: Int64
    /// Spendable now (matured, not expired).
    public var available: Int64
    /// Inside the return window.
    public var pending: Int64
    /// Past expiry, about to be written off by the expiry job.
    public var awaitingExpiry: Int64
    /// What `available` is worth at the program's point value, in minor units.
    public var availableValue: Int64
    public var currency: String
    /// The next days on which points expire (UTC dates), soonest first, at most five.
    public var nextExpiries: [Expiry]

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case balance, available, pending
        case awaitingExpiry = "awaiting_expiry"
        case availableValue = "available_value"
        case currency
        case nextExpiries = "next_expiries"
    }

    public init(wallet: Wallet, settings: ProgramSettings, at time: Date) {
        customerID = wallet.customerID
        balance = wallet.balance
        available = wallet.available(at: time)
        pending = wallet.pending(at: time)
        awaitingExpiry = wallet.awaitingExpiry(at: time)
        availableValue = Redemption.value(of: available, at: settings.pointValue)
        currency = settings.currency.code
        var byDay: [String: Int64] = [:]
        for lot in wallet.lots {
            guard let expiry = lot.expiresAt, expiry > time else { continue }
            byDay[RFC3339.string(expiry).prefix(10).description, default: 0] += lot.remaining
        }
        nextExpiries = byDay.sorted { $0.key < $1.key }.prefix(5).map { Expiry(date: $0.key, points: $0.value) }
    }
}
