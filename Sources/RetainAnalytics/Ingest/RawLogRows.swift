/// The rows of (part of) a transaction log as read, before any cleaning rule: one entry per row, in columns.
/// Customer and order ids are keys: a plain number is kept as its value (≥ 0), any other text is interned and
/// kept as −(index + 1); `RawLogRows.missing` marks an empty field.
struct RawLogRows {
    static let missing = Int64.min

    var customer: [Int64] = []
    var day: [Int32] = []
    /// In 1/10,000 of the currency unit (`LogFieldParsing.scale`); empty when the log has no money.
    var amount: [Int64] = []
    /// Empty when the log has no order column.
    var order: [Int64] = []
    /// The order id starts with the layout's return prefix.
    var returnFlag: [Bool] = []
    var hash: [UInt64] = []

    var customerTexts: [String] = []
    var orderTexts: [String] = []
    private var customerIndex: [String: Int64] = [:]
    private var orderIndex: [String: Int64] = [:]

    var rowsRead = 0
    var unreadable = 0
    /// The first rows that could not be read: line, column (1-based field number) and why.
    var unreadableExamples: [LogProblem] = []
    var legacyFields = 0
    var legacyLines: [Int] = []

    mutating func internCustomer(_ key: LogFieldParsing.Key) -> Int64 {
        switch key {
        case .number(let value): return value
        case .missing: return Self.missing
        case .text(let text):
            if let index = customerIndex[text] { return index }
            customerTexts.append(text)
            let index = -Int64(customerTexts.count)
            customerIndex[text] = index
            return index
        }
    }

    mutating func internOrder(_ key: LogFieldParsing.Key) -> Int64 {
        switch key {
        case .number(let value): return value
        case .missing: return Self.missing
        case .text(let text):
            if let index = orderIndex[text] { return index }
            orderTexts.append(text)
            let index = -Int64(orderTexts.count)
            orderIndex[text] = index
            return index
        }
    }

    mutating func noteUnreadable(line: Int, column: Int, _ message: String) {
        unreadable += 1
        if unreadableExamples.count < 5 {
            unreadableExamples.append(LogProblem(line: line, column: column, message: message))
        }
    }

    /// Appends another part's rows, re-keying its interned texts into this part's tables.
    mutating func append(_ other: RawLogRows) {
        var customerMap: [Int64] = []
        for text in other.customerTexts { customerMap.append(internCustomer(.text(text))) }
        var orderMap: [Int64] = []
        for text in other.orderTexts { orderMap.append(internOrder(.text(text))) }
        customer.reserveCapacity(customer.count + other.customer.count)
        for key in other.customer {
            customer.append(key < 0 && key != Self.missing ? customerMap[Int(-key - 1)] : key)
        }
        for key in other.order { order.append(key < 0 && key != Self.missing ? orderMap[Int(-key - 1)] : key) }
        day += other.day
        amount += other.amount
        returnFlag += other.returnFlag
        hash += other.hash
        rowsRead += other.rowsRead
        unreadable += other.unreadable
        unreadableExamples += other.unreadableExamples.prefix(max(0, 5 - unreadableExamples.count))
        legacyFields += other.legacyFields
        legacyLines += other.legacyLines.prefix(max(0, 5 - legacyLines.count))
    }
}

/// A row the reader could not use, and where it is.
public struct LogProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}
