/// How the rows of a log become transactions. Every rule is stated in the report and counted in its data-quality
/// section, whichever way it is set.
public struct CleaningRules: Sendable, Codable, Equatable {
    /// Rows that return or cancel (negative amount or quantity, or an order id with the layout's return prefix).
    public enum Returns: String, Sendable, Codable, CaseIterable {
        /// Not transactions; their money is not counted anywhere (the default: a cancellation is not a visit).
        case exclude
        /// Not transactions, but their (negative) money is subtracted from the customer's revenue on that day.
        case net
    }

    /// Rows identical in every byte to an earlier row.
    public enum Duplicates: String, Sendable, Codable, CaseIterable {
        /// Dropped when the log has an order column (a line repeated inside one order is a double scan), kept
        /// otherwise (two identical purchases on one day are plausible without an order id).
        case auto
        case drop
        case keep
    }

    /// Several transactions of one customer on one day.
    public enum SameDay: String, Sendable, Codable, CaseIterable {
        /// Each stays a transaction in the metrics (the models always count purchase days, as the BG/NBD paper).
        case keep
        /// Merged into one transaction for the metrics too.
        case merge
    }

    /// Rows whose money is zero.
    public enum ZeroAmounts: String, Sendable, Codable, CaseIterable {
        /// Kept: a free item is still a visit.
        case keep
        case drop
    }

    public var returns: Returns = .exclude
    public var duplicates: Duplicates = .auto
    public var sameDay: SameDay = .keep
    public var zeroAmounts: ZeroAmounts = .keep

    public init(
        returns: Returns = .exclude, duplicates: Duplicates = .auto, sameDay: SameDay = .keep,
        zeroAmounts: ZeroAmounts = .keep
    ) {
        self.returns = returns
        self.duplicates = duplicates
        self.sameDay = sameDay
        self.zeroAmounts = zeroAmounts
    }
}

/// What the cleaning rules found, rule by rule: the data-quality section of a report.
public struct DataQuality: Sendable, Codable, Equatable {
    public var rowsRead = 0
    /// Rows that became (part of) a transaction.
    public var rowsUsed = 0
    public var unreadableRows = 0
    public var unreadableExamples: [LogProblem] = []
    public var rowsWithoutCustomer = 0
    /// Money on rows without a customer (a sale that belongs to nobody), in the currency unit.
    public var amountWithoutCustomer = 0.0
    public var returnRows = 0
    public var returnAmount = 0.0
    public var zeroAmountRows = 0
    public var duplicateRows = 0
    public var duplicatesDropped = false
    /// Transactions on a customer-day that already had one.
    public var sameDayRepeats = 0
    public var sameDayMerged = false
    /// Customers whose only rows were returns (they bought before the log began).
    public var customersWithOnlyReturns = 0
    public var legacyEncodedFields = 0
    public var legacyEncodedLines: [Int] = []
    /// The rules in words.
    public var rules: [String] = []

    public init() {}
}
