import Foundation

/// One line of an order. Amounts are minor units of the order currency.
extension CodingUserInfoKey {
    /// Set by the store on the decoder of its own documents, which may use forms only the store writes (an order
    /// line as an array); requests never do.
    public static let storedDocument = CodingUserInfoKey(rawValue: "retain.storedDocument")!
}

public struct OrderLine: Codable, Sendable, Equatable {
    public var sku: String?
    public var category: String?
    public var name: String?
    public var quantity: Int64
    public var unitPrice: Int64
    /// Discount on this line, in minor units.
    public var discount: Int64

    public init(
        sku: String? = nil, category: String? = nil, name: String? = nil, quantity: Int64, unitPrice: Int64,
        discount: Int64 = 0
    ) {
        self.sku = sku
        self.category = category
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discount = discount
    }

    enum CodingKeys: String, CodingKey {
        case sku, category, name, quantity
        case unitPrice = "unit_price"
        case discount
    }

    public init(from decoder: any Decoder) throws {
        if decoder.userInfo[.storedDocument] as? Bool == true, var list = try? decoder.unkeyedContainer() {
            // The store's compact form: [sku, category, name, quantity, unit_price(, discount)].
            sku = try list.decodeNil() ? nil : list.decode(String.self)
            category = try list.decodeNil() ? nil : list.decode(String.self)
            name = try list.decodeNil() ? nil : list.decode(String.self)
            quantity = try list.decode(Int64.self)
            unitPrice = try list.decode(Int64.self)
            discount = list.isAtEnd ? 0 : try list.decode(Int64.self)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sku = try container.decodeIfPresent(String.self, forKey: .sku)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        quantity = try container.decode(Int64.self, forKey: .quantity)
        unitPrice = try container.decode(Int64.self, forKey: .unitPrice)
        discount = try container.decodeIfPresent(Int64.self, forKey: .discount) ?? 0
    }

    /// Quantity × unit price − line discount, or nil on overflow.
    public var amount: Int64? {
        let (gross, overflow) = quantity.multipliedReportingOverflow(by: unitPrice)
        guard !overflow else { return nil }
        let (net, netOverflow) = gross.subtractingReportingOverflow(discount)
        return netOverflow ? nil : net
    }
}

/// A purchase as the shop sends it. `orderID` is the shop's own id and the idempotency key.
public struct OrderInput: Codable, Sendable, Equatable {
    public var orderID: String
    public var customer: CustomerReference
    public var placedAt: Date
    public var currency: String
    public var lines: [OrderLine]
    /// Order-level discount in minor units, spread over the lines in proportion to their amounts.
    public var discount: Int64
    /// What the customer paid. With lines it must equal the sum of line amounts minus `discount`; without lines it
    /// is required and is the whole base for points.
    public var total: Int64?
    /// Where the order was taken (`web`, `store-12`); kept for reporting.
    public var channel: String?

    public init(
        orderID: String, customer: CustomerReference, placedAt: Date, currency: String, lines: [OrderLine] = [],
        discount: Int64 = 0, total: Int64? = nil, channel: String? = nil
    ) {
        self.orderID = orderID
        self.customer = customer
        self.placedAt = placedAt
        self.currency = currency
        self.lines = lines
        self.discount = discount
        self.total = total
        self.channel = channel
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case customer
        case placedAt = "placed_at"
        case currency, lines, discount, total, channel
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        orderID = try container.decode(String.self, forKey: .orderID)
        customer = try container.decode(CustomerReference.self, forKey: .customer)
        placedAt = try container.decode(Date.self, forKey: .placedAt)
        currency = try container.decode(String.self, forKey: .currency)
        lines = try container.decodeIfPresent([OrderLine].self, forKey: .lines) ?? []
        discount = try container.decodeIfPresent(Int64.self, forKey: .discount) ?? 0
        total = try container.decodeIfPresent(Int64.self, forKey: .total)
        channel = try container.decodeIfPresent(String.self, forKey: .channel)
    }

    /// Checks the order against the program and returns it with `total` filled in; every problem is reported
    /// with its field.
    public func validated(for settings: ProgramSettings) throws -> OrderInput {
        var validator = Validator()
        validator.check(!orderID.isEmpty && orderID.count <= 128, "order_id", "must be 1–128 characters")
        validator.check(
            !customer.isEmpty, "customer",
            "name the customer by one of customer_id, external_id, card_number, email, phone")
        if let email = customer.email {
            validator.check(ContactNormalization.isPlausibleEmail(email), "customer.email", "is not an e-mail address")
        }
        if let phone = customer.phone {
            validator.check(ContactNormalization.isPlausiblePhone(phone), "customer.phone", "needs 6–16 digits")
        }
        if let currency = Currency(code: currency) {
            validator.check(
                currency == settings.currency, "currency",
                "this program earns in \(settings.currency.code); the order is in \(currency.code)")
        } else {
            validator.add("currency", "\(currency) is not an ISO 4217 currency code")
        }
        validator.check(lines.count <= 1000, "lines", "at most 1000 lines per order")
        validator.check(discount >= 0, "discount", "must not be negative")
        var sum: Int64 = 0
        var sumOverflowed = false
        for (index, line) in lines.enumerated() {
            func field(_ name: String) -> String { "lines[\(index)].\(name)" }
            validator.check(line.quantity > 0, field("quantity"), "must be at least 1 (send returns to /returns)")
            validator.check(line.quantity <= 1_000_000_000, field("quantity"), "must be at most 1000000000")
            validator.check(line.unitPrice >= 0, field("unit_price"), "must not be negative")
            validator.check(line.unitPrice <= 1_000_000_000_000, field("unit_price"), "is implausibly large")
            validator.check(line.discount >= 0, field("discount"), "must not be negative")
            if let amount = line.amount {
                if line.quantity > 0 && line.unitPrice >= 0 {
                    validator.check(amount >= 0, field("discount"), "is larger than quantity × unit_price")
                }
                let (next, overflow) = sum.addingReportingOverflow(amount)
                sum = next
                sumOverflowed = sumOverflowed || overflow
            } else {
                sumOverflowed = true
            }
        }
        var result = self
        if lines.isEmpty {
            if let total {
                validator.check(total >= 0, "total", "must not be negative")
                validator.check(total <= 1_000_000_000_000_000, "total", "is implausibly large")
            } else {
                validator.add("total", "is required when the order has no lines")
            }
        } else if sumOverflowed {
            validator.add("lines", "the line amounts are too large to add up")
        } else {
            let (computed, discountOverflow) = sum.subtractingReportingOverflow(discount)
            validator.check(!discountOverflow, "discount", "is out of range")
            if validator.issues.isEmpty {
                validator.check(computed >= 0, "discount", "is larger than the sum of the lines (\(sum))")
            }
            if let total {
                validator.check(
                    total == computed, "total",
                    "is \(total) but the lines add up to \(sum) minus discount \(discount) = \(computed)")
            }
            result.total = computed
        }
        try validator.throwIfInvalid()
        result.currency = settings.currency.code
        return result
    }

    /// SHA-256 of a canonical form of the order (every field, strings length-prefixed, times in milliseconds):
    /// two sends of the same order have the same fingerprint whatever their JSON key order or spacing. Written
    /// by hand because it runs for every imported order and JSONEncoder is ten times slower.
    public var fingerprint: String {
        var text = CanonicalText(capacity: 64 + lines.count * 48)
        func add(_ value: String?) { text.add(value) }
        func add(_ value: Int64?) { text.add(value) }
        add(orderID)
        for value in [customer.customerID, customer.externalID, customer.cardNumber, customer.email, customer.phone] {
            add(value)
        }
        add(Int64((placedAt.timeIntervalSince1970 * 1000).rounded()))
        add(currency)
        add(Int64(lines.count))
        for line in lines {
            add(line.sku)
            add(line.category)
            add(line.name)
            add(line.quantity)
            add(line.unitPrice)
            add(line.discount)
        }
        add(discount)
        add(total)
        add(channel)
        return text.fingerprint
    }

    /// The amount after all discounts; valid after `validated(for:)`.
    public var paid: Int64 { total ?? 0 }

    /// The amounts that earn points, one per line after the order discount is spread over them (largest
    /// remainder, so they add up to `paid` exactly). An order without lines counts as one line.
    public var netLineAmounts: [Int64] {
        guard !lines.isEmpty else { return [paid] }
        let gross = lines.map { $0.amount ?? 0 }
        return Apportion.subtract(discount, from: gross)
    }
}

/// The canonical text behind a request fingerprint: every field in a fixed order, strings length-prefixed so no
/// value can be mistaken for another, missing values marked.
public struct CanonicalText {
    /// UTF-8 bytes, appended directly (cheaper than growing a `String` piece by piece).
    private var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    public mutating func add(_ value: String?) {
        guard var text = value else {
            bytes.append(45)  // "-"
            return bytes.append(59)  // ";"
        }
        text.withUTF8 { utf8 in
            appendDecimal(Int64(utf8.count))
            bytes.append(58)  // ":"
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func add(_ value: Int64?) {
        if let value { appendDecimal(value) } else { bytes.append(45) }  // "-"
        bytes.append(59)  // ";"
    }

    public mutating func add(_ value: Date?) { add(value.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }) }

    /// `String(value)`'s bytes.
    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(45) }
        var magnitude = value.magnitude
        guard magnitude >= 10 else { return bytes.append(48 + UInt8(magnitude)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            while magnitude > 0 {
                start -= 1
                digits[start] = 48 + UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// SHA-256 of the text, in hex.
    public var fingerprint: String { SHA256.hex(bytes) }
}
