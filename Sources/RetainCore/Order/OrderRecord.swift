import Foundation

/// An order as Retain keeps it: the normalised input plus what it earned and what has been returned since.
public struct OrderRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Points awarded (or none were due).
        case recorded
        /// The customer was unknown and the program holds such orders; nothing awarded yet.
        case unmatched
        case partiallyReturned = "partially_returned"
        case returned
    }

    /// One award of the order with its ledger identity and how much of it returns have taken back so far.
    public struct AwardState: Codable, Sendable, Equatable {
        public var award: Award
        public var entryID: String
        public var lotID: String
        /// Points returns have claimed back (≤ `award.points`).
        public var reversed: Int64

        enum CodingKeys: String, CodingKey {
            case award
            case entryID = "entry_id"
            case lotID = "lot_id"
            case reversed
        }
    }

    public var programID: String
    public var orderID: String
    public var customerID: String?
    public var status: Status
    public var input: OrderInput
    public var awards: [AwardState]
    /// Units returned per line (quantity for real lines; minor units for the single line of a lineless order).
    public var returnedUnits: [Int64]
    public var returnedAmount: Int64
    public var createdAt: Date
    /// Fingerprint of the normalised request that created the order; a retry must match it.
    public var requestHash = ""
    /// The answer given to the first request, replayed to retries.
    public var response: Data?

    public init(
        programID: String, orderID: String, customerID: String?, status: Status, input: OrderInput,
        awards: [AwardState], returnedUnits: [Int64], returnedAmount: Int64, createdAt: Date
    ) {
        self.programID = programID
        self.orderID = orderID
        self.customerID = customerID
        self.status = status
        self.input = input
        self.awards = awards
        self.returnedUnits = returnedUnits
        self.returnedAmount = returnedAmount
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case programID = "program_id"
        case orderID = "order_id"
        case customerID = "customer_id"
        case status, input, awards
        case returnedUnits = "returned_units"
        case returnedAmount = "returned_amount"
        case createdAt = "created_at"
    }

    public var pointsEarned: Int64 { awards.reduce(0) { $0 + $1.award.points } }
    public var pointsReversed: Int64 { awards.reduce(0) { $0 + $1.reversed } }

    /// Units each line can be returned in: its quantity, or the total in minor units for an order without lines.
    public var lineUnits: [Int64] { input.lines.isEmpty ? [input.paid] : input.lines.map(\.quantity) }
}

/// A return or cancellation as recorded.
public struct ReturnRecord: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var lineNumber: Int
        public var quantity: Int64

        enum CodingKeys: String, CodingKey {
            case lineNumber = "line_number"
            case quantity
        }
    }

    public var programID: String
    public var returnID: String
    public var orderID: String
    public var customerID: String?
    public var kind: ReturnInput.Kind
    public var lines: [Line]
    /// Money given back, in minor units.
    public var amount: Int64
    /// Points taken back from the customer.
    public var pointsReversed: Int64
    /// Points the return should have taken back but the customer had already spent; the balance never goes
    /// below zero, so these stay with the customer and are reported here.
    public var pointsUnrecovered: Int64
    public var returnedAt: Date
    public var reason: String?
    public var createdAt: Date
    /// Fingerprint of the normalised request; a retry with the same return id must match it.
    public var requestHash = ""

    enum CodingKeys: String, CodingKey {
        case programID = "program_id"
        case returnID = "return_id"
        case orderID = "order_id"
        case customerID = "customer_id"
        case kind, lines, amount
        case pointsReversed = "points_reversed"
        case pointsUnrecovered = "points_unrecovered"
        case returnedAt = "returned_at"
        case reason
        case createdAt = "created_at"
    }
}
