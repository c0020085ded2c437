/// Whole-log metrics with the definitions of PRODUCT.md: repeat purchase rate = customers with ≥ 2 transactions ÷
/// customers; purchase frequency = transactions ÷ customers; average order value = revenue ÷ transactions;
/// historical CLV = revenue ÷ customers; the top-20% share = revenue of the ⌈n/5⌉ customers with the most revenue
/// ÷ all revenue. Money is nil when the log has none.
public struct LogSummary: Sendable, Codable, Equatable {
    public var firstDate: String
    public var endDate: String
    public var days: Int
    public var customers: Int
    public var transactions: Int
    /// Distinct (customer, day) pairs: the models' transactions.
    public var customerPurchaseDays: Int
    public var repeatCustomers: Int
    public var oneTimeBuyers: Int
    public var repeatPurchaseRate: Double
    public var purchaseFrequency: Double
    public var revenue: Double?
    public var averageOrderValue: Double?
    public var historicalCLV: Double?
    public var top20Customers: Int
    public var top20RevenueShare: Double?
    public var zeroValueTransactions: Int?
    public var simpleCLV: SimpleCLV?
    public var interPurchaseDays: InterPurchaseTimes

    /// The simple CLV of seed 004: average check × purchases per year × expected lifetime in years.
    public struct SimpleCLV: Sendable, Codable, Equatable {
        public var averageCheck: Double
        /// Transactions per customer-year observed (each customer from their first purchase to the end of the log).
        public var purchasesPerYear: Double
        public var lifetimeYears: Double
        /// How the lifetime was chosen, in words.
        public var lifetimeSource: String
        public var value: Double
    }

    /// Days between a customer's consecutive purchase days.
    public struct InterPurchaseTimes: Sendable, Codable, Equatable {
        public var gaps: Int
        public var meanDays: Double?
        public var p10: Int?
        public var p25: Int?
        public var median: Int?
        public var p75: Int?
        public var p90: Int?
        /// Counts per bucket, with labels like "8–14 days".
        public var histogram: [Bucket]

        public struct Bucket: Sendable, Codable, Equatable {
            public var label: String
            public var count: Int
        }
    }

    public init(log: TransactionLog, stats: CustomerStats, yearlyRetention: Double?, lifetimeYears: Double?) {
        let customers = stats.count
        let end = log.lastDay
        firstDate = CivilDay.text(log.firstDay)
        endDate = CivilDay.text(end)
        days = customers == 0 ? 0 : end - log.firstDay + 1
        self.customers = customers
        transactions = log.transactionCount
        customerPurchaseDays = stats.purchaseDays.reduce(0) { $0 + Int($1) }
        repeatCustomers = stats.transactions.reduce(0) { $0 + ($1 >= 2 ? 1 : 0) }
        oneTimeBuyers = customers - repeatCustomers
        repeatPurchaseRate = customers == 0 ? 0 : Double(repeatCustomers) / Double(customers)
        purchaseFrequency = customers == 0 ? 0 : Double(transactions) / Double(customers)
        top20Customers = (customers + 4) / 5
        interPurchaseDays = Self.gaps(log)
        guard log.hasMoney, customers > 0 else { return }
        let total = stats.revenue.reduce(Int64(0), &+)
        revenue = TransactionLog.units(total)
        averageOrderValue = transactions == 0 ? nil : TransactionLog.units(total) / Double(transactions)
        historicalCLV = TransactionLog.units(total) / Double(customers)
        let top = stats.revenue.sorted(by: >).prefix(top20Customers).reduce(Int64(0), &+)
        top20RevenueShare = total == 0 ? nil : Double(top) / Double(total)
        zeroValueTransactions = log.amount.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        var customerYears = 0.0
        for customer in 0..<customers { customerYears += Double(end - Int(stats.firstDay[customer]) + 1) / 365.25 }
        let perYear = Double(transactions) / customerYears
        let lifetime: Double
        let source: String
        if let lifetimeYears {
            lifetime = lifetimeYears
            source = "given (--lifetime-years)"
        } else if let yearlyRetention, yearlyRetention < 1 {
            lifetime = min(1 / (1 - yearlyRetention), 20)
            source = "1 ÷ yearly churn rate (\(Int(((1 - yearlyRetention) * 100).rounded()))% over the last 365 days)"
        } else {
            lifetime = 3
            source =
                "assumed 3 years: the log is shorter than two years, too short to measure yearly churn (set --lifetime-years)"
        }
        if let check = averageOrderValue {
            simpleCLV = SimpleCLV(
                averageCheck: check, purchasesPerYear: perYear, lifetimeYears: lifetime, lifetimeSource: source,
                value: check * perYear * lifetime)
        }
    }

    static func gaps(_ log: TransactionLog) -> InterPurchaseTimes {
        var counts: [Int] = []
        var total = 0
        var gaps = 0
        for customer in 0..<log.customerCount {
            var previous = -1
            for index in log.offsets[customer]..<log.offsets[customer + 1] {
                let day = Int(log.day[index])
                if previous >= 0 && day != previous {
                    let gap = day - previous
                    if gap >= counts.count { counts += [Int](repeating: 0, count: gap - counts.count + 1) }
                    counts[gap] += 1
                    total += gap
                    gaps += 1
                }
                previous = day
            }
        }
        func percentile(_ share: Double) -> Int? {
            guard gaps > 0 else { return nil }
            let target = Int((share * Double(gaps)).rounded(.up))
            var seen = 0
            for (gap, count) in counts.enumerated() {
                seen += count
                if seen >= max(target, 1) { return gap }
            }
            return counts.count - 1
        }
        let edges = [(1, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, Int.max)]
        let histogram = edges.map { low, high in
            InterPurchaseTimes.Bucket(
                label: high == Int.max ? "over 365 days" : "\(low)–\(high) days",
                count: counts.indices.filter { $0 >= low && $0 <= high }.reduce(0) { $0 + counts[$1] })
        }
        return InterPurchaseTimes(
            gaps: gaps, meanDays: gaps == 0 ? nil : Double(total) / Double(gaps), p10: percentile(0.1),
            p25: percentile(0.25), median: percentile(0.5), p75: percentile(0.75), p90: percentile(0.9),
            histogram: histogram)
    }
}
