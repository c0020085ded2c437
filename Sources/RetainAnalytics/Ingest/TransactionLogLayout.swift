/// Which columns of a transaction log mean what. Columns are named by their header (case, spaces and underscores
/// ignored). Presets cover the layouts in `../shared/data`; any other log is mapped column by column, or guessed
/// from common header names — and the guess is stated, so a person can check it.
public struct TransactionLogLayout: Sendable, Codable, Equatable {
    public enum Preset: String, Sendable, CaseIterable {
        /// CDNOW (master log or the 2,357-customer sample): `customer_id, date, number_of_cds, dollar_value`.
        case cdnow
        /// UCI Online Retail: one row per invoice line; `C` invoices are cancellations; amount = quantity × price.
        case onlineRetail = "online-retail"
    }

    public var customer: String
    public var date: String
    /// The money of a row; when absent, quantity × price; when both are absent, the log has no money.
    public var amount: String?
    public var quantity: String?
    public var price: String?
    /// Rows with the same order id (and customer) are one transaction; without it each row is one.
    public var order: String?
    /// A pattern for the date column (`yyyyMMdd`, `M/d/yyyy H:mm`, …); nil = guessed from the first rows.
    public var dateFormat: String?
    /// Order ids starting with this are returns/cancellations (Online Retail: `C`); rows with a negative amount or
    /// quantity are returns whatever their id.
    public var returnPrefix: String?
    /// How the layout was chosen, in words (for the report).
    public var source: String

    public init(
        customer: String, date: String, amount: String? = nil, quantity: String? = nil, price: String? = nil,
        order: String? = nil, dateFormat: String? = nil, returnPrefix: String? = nil, source: String = "given"
    ) {
        self.customer = customer
        self.date = date
        self.amount = amount
        self.quantity = quantity
        self.price = price
        self.order = order
        self.dateFormat = dateFormat
        self.returnPrefix = returnPrefix
        self.source = source
    }

    public static func preset(_ preset: Preset) -> TransactionLogLayout {
        switch preset {
        case .cdnow:
            return TransactionLogLayout(
                customer: "customer_id", date: "date", amount: "dollar_value", quantity: "number_of_cds",
                source: "preset cdnow")
        case .onlineRetail:
            return TransactionLogLayout(
                customer: "CustomerID", date: "InvoiceDate", quantity: "Quantity", price: "UnitPrice",
                order: "InvoiceNo", returnPrefix: "C", source: "preset online-retail")
        }
    }

    static let customerNames = [
        "customerid", "customer", "clientid", "client", "userid", "memberid", "custid", "customerno", "customernumber",
        "buyerid", "accountid",
    ]
    static let dateNames = [
        "date", "invoicedate", "orderdate", "transactiondate", "purchasedate", "timestamp", "datetime", "createdat",
        "time", "orderedat", "placedat", "visit", "visitdate", "visitedat", "day", "purchasedat", "saledate",
    ]
    static let amountNames = [
        "amount", "dollarvalue", "total", "ordertotal", "revenue", "sales", "value", "totalamount", "sum", "spend",
        "linetotal",
    ]
    static let quantityNames = ["quantity", "qty", "numberofcds", "units", "count", "items"]
    static let priceNames = ["unitprice", "price", "itemprice"]
    static let orderNames = [
        "orderid", "invoiceno", "invoice", "invoicenumber", "orderno", "ordernumber", "transactionid", "receiptid",
        "receipt", "basketid",
    ]

    /// A layout from common header names, or nil when no customer or date column can be told.
    public static func guess(header: [String]) -> TransactionLogLayout? {
        let names = header.map(normalized)
        func find(_ candidates: [String]) -> String? {
            for candidate in candidates { if let index = names.firstIndex(of: candidate) { return header[index] } }
            return nil
        }
        guard let customer = find(customerNames), let date = find(dateNames) else { return nil }
        let amount = find(amountNames)
        let quantity = find(quantityNames)
        let price = amount == nil ? find(priceNames) : nil
        let order = find(orderNames)
        var parts = ["customer = \(customer)", "date = \(date)"]
        if let amount { parts.append("amount = \(amount)") }
        if let quantity { parts.append("quantity = \(quantity)") }
        if let price { parts.append("price = \(price)") }
        if let order { parts.append("order = \(order)") }
        return TransactionLogLayout(
            customer: customer, date: date, amount: amount, quantity: quantity, price: price, order: order,
            source: "guessed from the header: " + parts.joined(separator: ", "))
    }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "." })
    }

    /// Column positions in this header; a missing column is an error that lists the header.
    func resolve(header: [String]) throws -> ResolvedLogColumns {
        let names = header.map(Self.normalized)
        func find(_ name: String?, _ option: String) throws -> Int? {
            guard let name else { return nil }
            guard let index = names.firstIndex(of: Self.normalized(name)) else {
                throw TransactionLogError(
                    "the log has no column \"\(name)\" (for --\(option)-column); its columns are: "
                        + header.joined(separator: ", "))
            }
            return index
        }
        let columns = ResolvedLogColumns(
            customer: try find(customer, "customer")!, date: try find(date, "date")!,
            amount: try find(amount, "amount"), quantity: try find(quantity, "quantity"),
            price: try find(price, "price"), order: try find(order, "order"))
        if price != nil && quantity == nil && amount == nil {
            throw TransactionLogError("--price-column needs --quantity-column (amount = quantity × price)")
        }
        return columns
    }
}

/// Column positions of a layout in one file.
struct ResolvedLogColumns: Sendable {
    var customer: Int
    var date: Int
    var amount: Int?
    var quantity: Int?
    var price: Int?
    var order: Int?

    var hasMoney: Bool { amount != nil || (price != nil && quantity != nil) }
    var highest: Int { [customer, date, amount ?? 0, quantity ?? 0, price ?? 0, order ?? 0].max()! }
}

/// A log that cannot be read as mapped, with what to do about it.
public struct TransactionLogError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
