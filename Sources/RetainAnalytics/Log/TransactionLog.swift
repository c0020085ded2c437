/// A cleaned transaction log in columns, grouped by customer and in time order within each customer: the input of
/// every metric and model. Customer `c` owns transactions `offsets[c] ..< offsets[c + 1]`. Customers are
/// numbered in the order of their ids (numbers numerically, then texts), which is also the stated tie rule of the
/// RFM scores.
public struct TransactionLog: Sendable {
    /// Day of each transaction (days since 1970-01-01, `CivilDay`).
    public internal(set) var day: [Int32] = []
    /// Money of each transaction in 1/10,000 of the currency unit; empty when the log has no money.
    public internal(set) var amount: [Int64] = []
    public internal(set) var offsets: [Int] = [0]
    /// Money of returns netted against revenue (`CleaningRules.Returns.net`): customer, day, amount.
    public internal(set) var adjustmentCustomer: [Int32] = []
    public internal(set) var adjustmentDay: [Int32] = []
    public internal(set) var adjustmentAmount: [Int64] = []
    public internal(set) var hasMoney = false
    public internal(set) var quality = DataQuality()
    public internal(set) var layout: TransactionLogLayout
    public internal(set) var datePattern: String
    /// Customer ids: the key of customer `c` is `customerKeys[c]` (a number, or −(index + 1) into `customerTexts`).
    var customerKeys: [Int64] = []
    var customerTexts: [String] = []

    public var customerCount: Int { offsets.count - 1 }
    public var transactionCount: Int { day.count }
    /// The first and last transaction day of the log (0 when it has none).
    public internal(set) var firstDay = 0
    public internal(set) var lastDay = 0

    /// The id of customer `c` as written in the log.
    public func customerID(_ customer: Int) -> String {
        let key = customerKeys[customer]
        return key >= 0 ? String(key) : customerTexts[Int(-key - 1)]
    }

    /// Money in the currency unit.
    @inline(__always) public static func units(_ amount: Int64) -> Double {
        Double(amount) / Double(LogFieldParsing.scale)
    }

    /// Builds a log directly from transactions (tests, the store): customer ids, days and amounts per row, cleaned
    /// by `rules` (rows are distinct and none is a return, so only the same-day and zero-amount rules act).
    public init(
        customers: [String], days: [Int], amounts: [Double]?, layout: TransactionLogLayout? = nil,
        rules: CleaningRules = CleaningRules()
    ) {
        var rows = RawLogRows()
        for (index, id) in customers.enumerated() {
            let key: LogFieldParsing.Key =
                id.isEmpty
                ? .missing : (Int64(id).map { $0 >= 0 && String($0) == id ? .number($0) : .text(id) } ?? .text(id))
            rows.customer.append(rows.internCustomer(key))
            rows.day.append(Int32(days[index]))
            if let amounts { rows.amount.append(Int64((amounts[index] * Double(LogFieldParsing.scale)).rounded())) }
            rows.returnFlag.append(false)
            rows.hash.append(UInt64(index))  // distinct rows: no duplicates
            rows.rowsRead += 1
        }
        self = TransactionLog.build(
            rows, layout: layout ?? TransactionLogLayout(customer: "customer", date: "day", source: "given"),
            datePattern: "yyyy-MM-dd", hasMoney: amounts != nil, hasOrder: false, rules: rules)
    }

    init(layout: TransactionLogLayout, datePattern: String) {
        self.layout = layout
        self.datePattern = datePattern
    }
}
