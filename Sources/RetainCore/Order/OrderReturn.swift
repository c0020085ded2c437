import Foundation

/// A return or cancellation of (part of) an order. `returnID` is the shop's id and the idempotency key.
///
/// Orders with lines are returned by line (`lines`), orders without lines by `amount`; `whole: true` returns
/// whatever is still unreturned of either kind.
public struct ReturnInput: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        /// Zero-based index of the line in the order; or name it by `sku`.
        public var lineNumber: Int?
        public var sku: String?
        public var quantity: Int64

        public init(lineNumber: Int? = nil, sku: String? = nil, quantity: Int64) {
            self.lineNumber = lineNumber
            self.sku = sku
            self.quantity = quantity
        }

        enum CodingKeys: String, CodingKey {
            case lineNumber = "line_number"
            case sku, quantity
        }
    }

    public enum Kind: String, Codable, Sendable { case `return`, cancellation }

    public var returnID: String
    public var kind: Kind
    public var whole: Bool
    public var lines: [Line]
    public var amount: Int64?
    public var returnedAt: Date?
    public var reason: String?

    public init(
        returnID: String, kind: Kind = .return, whole: Bool = false, lines: [Line] = [], amount: Int64? = nil,
        returnedAt: Date? = nil, reason: String? = nil
    ) {
        self.returnID = returnID
        self.kind = kind
        self.whole = whole
        self.lines = lines
        self.amount = amount
        self.returnedAt = returnedAt
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case returnID = "return_id"
        case kind, whole, lines, amount
        case returnedAt = "returned_at"
        case reason
    }

    /// The fingerprint of this return of `orderID` (see `CanonicalText`): a retry must match it.
    public func fingerprint(orderID: String) -> String {
        var text = CanonicalText(capacity: 64 + lines.count * 24)
        text.add(orderID)
        text.add(returnID)
        text.add(kind.rawValue)
        text.add(whole ? 1 : 0)
        text.add(Int64(lines.count))
        for line in lines {
            text.add(line.lineNumber.map { Int64($0) })
            text.add(line.sku)
            text.add(line.quantity)
        }
        text.add(amount)
        text.add(returnedAt)
        text.add(reason)
        return text.fingerprint
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        returnID = try container.decode(String.self, forKey: .returnID)
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .return
        whole = try container.decodeIfPresent(Bool.self, forKey: .whole) ?? false
        lines = try container.decodeIfPresent([Line].self, forKey: .lines) ?? []
        amount = try container.decodeIfPresent(Int64.self, forKey: .amount)
        returnedAt = try container.decodeIfPresent(Date.self, forKey: .returnedAt)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }
}

/// A custom event: a visit, a review, a completed survey — any name the program uses. `eventID` is the
/// idempotency key.
public struct EventInput: Codable, Sendable, Equatable {
    public var eventID: String
    public var name: String
    public var customer: CustomerReference
    public var occurredAt: Date
    public var properties: [String: JSONValue]

    public init(
        eventID: String, name: String, customer: CustomerReference, occurredAt: Date,
        properties: [String: JSONValue] = [:]
    ) {
        self.eventID = eventID
        self.name = name
        self.customer = customer
        self.occurredAt = occurredAt
        self.properties = properties
    }

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case name, customer
        case occurredAt = "occurred_at"
        case properties
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try container.decode(String.self, forKey: .eventID)
        name = try container.decode(String.self, forKey: .name)
        customer = try container.decode(CustomerReference.self, forKey: .customer)
        occurredAt = try container.decode(Date.self, forKey: .occurredAt)
        properties = try container.decodeIfPresent([String: JSONValue].self, forKey: .properties) ?? [:]
    }

    public func validate() throws {
        var validator = Validator()
        validator.check(!eventID.isEmpty && eventID.count <= 128, "event_id", "must be 1–128 characters")
        validator.check(EventInput.isValidName(name), "name", "use 1–64 characters from a–z, 0–9, '_', '.', '-'")
        validator.check(
            !customer.isEmpty, "customer",
            "name the customer by one of customer_id, external_id, card_number, email, phone")
        try validator.throwIfInvalid()
    }

    public static func isValidName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_.-")
        return (1...64).contains(name.count) && name.allSatisfy { allowed.contains($0) }
    }
}
