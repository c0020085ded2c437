import Foundation
import RetainAnalytics
import RetainCore

/// What the store's orders gave the analytics, counted (the live counterpart of a log's data-quality section).
public struct PurchaseLogCounts: Sendable, Codable, Equatable {
    /// Every order of the program.
    public var orders = 0
    /// Orders held unmatched (no customer): left out.
    public var unmatched = 0
    /// Orders whose returns took back everything paid: not purchases, left out.
    public var fullyReturned = 0
    /// Orders counted at what was paid less what was returned.
    public var partlyReturned = 0
    /// Orders analysed: one transaction each.
    public var purchases = 0
    public var customers = 0

    public init(
        orders: Int = 0, unmatched: Int = 0, fullyReturned: Int = 0, partlyReturned: Int = 0, purchases: Int = 0,
        customers: Int = 0
    ) {
        self.orders = orders
        self.unmatched = unmatched
        self.fullyReturned = fullyReturned
        self.partlyReturned = partlyReturned
        self.purchases = purchases
        self.customers = customers
    }
}

extension LoyaltyService {
    /// The program's orders as a transaction log: one transaction per order with a customer, dated by the day it
    /// was placed in the program's time zone, worth what was paid net of returns; fully returned and unmatched
    /// orders are left out. One read transaction, so the log is a consistent snapshot however long it takes.
    /// - Parameters:
    ///   - rules: the same-day and zero-amount rules (returns are netted per order as described above).
    ///   - progress: called with the number of orders read so far, after every page.
    /// - Returns: nil for the log when the program has no purchases yet.
    public func purchaseLog(
        program: String, rules: CleaningRules = CleaningRules(), progress: @Sendable (Int) -> Void = { _ in }
    ) async throws
        -> (log: TransactionLog?, counts: PurchaseLogCounts)
    {
        let settings = try await environment.programs.program(program).settings
        let zone = settings.zone
        let perUnit = Double(settings.currency.minorUnitsPerMajor)
        let pageSize = 5_000
        return try await store.read(program: program) { session in
            var counts = PurchaseLogCounts()
            var customers: [String] = []
            var days: [Int] = []
            var amounts: [Double] = []
            var after: String?
            while true {
                let page = try await session.purchases(after: after, limit: pageSize)
                for row in page {
                    counts.orders += 1
                    guard let customer = row.customerID else {
                        counts.unmatched += 1
                        continue
                    }
                    let net = row.paid - row.returned
                    if row.returned > 0 && net <= 0 {
                        counts.fullyReturned += 1
                        continue
                    }
                    if row.returned > 0 { counts.partlyReturned += 1 }
                    let local = row.placedAt.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: row.placedAt))
                    customers.append(customer)
                    days.append(Int((local / 86_400).rounded(.down)))
                    amounts.append(Double(net) / perUnit)
                }
                progress(counts.orders)
                guard page.count == pageSize, let last = page.last else { break }
                after = last.orderID
            }
            counts.purchases = customers.count
            guard !customers.isEmpty else { return (nil, counts) }
            let layout = TransactionLogLayout(
                customer: "orders.customer_id", date: "orders.placed_at", amount: "orders.total − returns",
                order: "orders.order_id", source: "the store of program \(program)")
            let log = TransactionLog(customers: customers, days: days, amounts: amounts, layout: layout, rules: rules)
            counts.customers = log.customerCount
            return (log, counts)
        }
    }
}
