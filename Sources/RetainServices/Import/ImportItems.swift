import Foundation
import RetainCore

/// One thing a transaction file says happened, already parsed: an order, or a cancellation that names no order
/// (as in the UCI Online Retail file, where `C…` invoices carry the customer and the items but not the invoice
/// they cancel).
public enum ImportItem: Sendable {
    case order(OrderInput, firstLine: Int)
    case cancellation(ImportCancellation)

    var time: Date {
        switch self {
        case .order(let order, _): return order.placedAt
        case .cancellation(let cancellation): return cancellation.at
        }
    }
}

/// Items taken back without a reference to their order. The importer finds the order: the customer's most
/// recent earlier order that still has that SKU left to return (newest first, spilling to older orders when one is
/// not enough).
public struct ImportCancellation: Sendable {
    public var id: String
    public var customer: CustomerReference
    public var at: Date
    public var lines: [(sku: String, quantity: Int64, line: Int)]

    public init(id: String, customer: CustomerReference, at: Date, lines: [(sku: String, quantity: Int64, line: Int)]) {
        self.id = id
        self.customer = customer
        self.at = at
        self.lines = lines
    }
}

/// Why a row of the file was not imported. The report counts each and keeps the first line numbers.
public enum SkipReason: String, Codable, Sendable, CaseIterable {
    case malformed
    case noCustomer = "no_customer"
    case duplicate
    case zeroPrice = "zero_price"
    case negativeWithoutCancellation = "negative_quantity_not_cancellation"
    case cancellationWithoutOriginal = "cancellation_without_original"
    case conflictingOrder = "order_id_reused_with_other_content"
    case invalidOrder = "invalid_order"

    public var explanation: String {
        switch self {
        case .malformed: return "a field could not be read (bad number or date)"
        case .noCustomer: return "no customer id: a sale that belongs to nobody"
        case .duplicate: return "an exact repeat of an earlier row"
        case .zeroPrice: return "unit price 0 (samples, write-offs)"
        case .negativeWithoutCancellation: return "negative quantity on an invoice that is not a cancellation"
        case .cancellationWithoutOriginal: return "a cancellation of a purchase not in the file (or already returned)"
        case .conflictingOrder: return "the order id was imported before with other content"
        case .invalidOrder: return "the order breaks an API rule (see the message)"
        }
    }
}

/// What an import did, and what it left out and why.
public struct ImportReport: Codable, Sendable, Equatable {
    public struct Skips: Codable, Sendable, Equatable {
        public var rows: Int
        /// The first few line numbers, to look at in the file.
        public var firstLines: [Int]

        enum CodingKeys: String, CodingKey {
            case rows
            case firstLines = "first_lines"
        }

        mutating func count(_ line: Int, rows: Int) {
            self.rows += rows
            if firstLines.count < 5 { firstLines.append(line) }
        }
    }

    public var rowsRead: Int = 0
    public var ordersRecorded: Int = 0
    public var ordersAlreadyImported: Int = 0
    public var returnsRecorded: Int = 0
    public var returnsAlreadyImported: Int = 0
    public var customersCreated: Int = 0
    public var customersAlreadyKnown: Int = 0
    public var pointsAwarded: Int64 = 0
    public var pointsReversed: Int64 = 0
    public var skipped: [String: Skips] = [:]
    public var notes: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case rowsRead = "rows_read"
        case ordersRecorded = "orders_recorded"
        case ordersAlreadyImported = "orders_already_imported"
        case returnsRecorded = "returns_recorded"
        case returnsAlreadyImported = "returns_already_imported"
        case customersCreated = "customers_created"
        case customersAlreadyKnown = "customers_already_known"
        case pointsAwarded = "points_awarded"
        case pointsReversed = "points_reversed"
        case skipped, notes
    }

    public mutating func skip(_ reason: SkipReason, line: Int, rows: Int = 1) {
        // Changed in place rather than copied out and back: the Online Retail file skips about one row in four.
        skipped[reason.rawValue, default: Skips(rows: 0, firstLines: [])].count(line, rows: rows)
    }

    public var rowsSkipped: Int { skipped.values.reduce(0) { $0 + $1.rows } }
}
