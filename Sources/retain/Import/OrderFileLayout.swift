import Foundation

/// Which columns of a transaction file mean what. Presets cover the layouts in `../shared/data`; any other file
/// is described with `--…-column` options. Columns are found by header name, case-insensitively.
struct OrderFileLayout: Sendable {
    enum Preset: String, CaseIterable, Sendable {
        /// UCI Online Retail: one row per invoice line, `C` invoices cancel, UK local time, GBP.
        case onlineRetail = "online-retail"
        /// CDNOW: one row per customer-day purchase (`customer_id,date,number_of_cds,dollar_value`), USD.
        case cdnow
    }

    var order: String?
    var customer: String
    var date: String
    var dateFormat: String?
    var sku: String?
    var description: String?
    var category: String?
    var quantity: String?
    var unitPrice: String?
    var amount: String?
    var country: String?
    /// Invoices whose id starts with this are cancellations (Online Retail: "C").
    var cancellationPrefix: String?
    var timeZone: String
    var currency: String

    static func preset(_ preset: Preset) -> OrderFileLayout {
        switch preset {
        case .onlineRetail:
            return OrderFileLayout(
                order: "InvoiceNo", customer: "CustomerID", date: "InvoiceDate", dateFormat: nil, sku: "StockCode",
                description: "Description", category: nil, quantity: "Quantity", unitPrice: "UnitPrice", amount: nil,
                country: "Country", cancellationPrefix: "C", timeZone: "Europe/London", currency: "GBP")
        case .cdnow:
            return OrderFileLayout(
                order: nil, customer: "customer_id", date: "date", dateFormat: nil, sku: nil, description: nil,
                category: nil, quantity: nil, unitPrice: nil, amount: "dollar_value", country: nil,
                cancellationPrefix: nil, timeZone: "UTC", currency: "USD")
        }
    }

    /// Column indexes in this file's header; a missing column is an error that lists the header.
    func resolve(header: [String]) throws -> ResolvedColumns {
        let normalized = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func find(_ name: String?, _ option: String, required: Bool) throws -> Int? {
            guard let name else {
                if required { throw CLIError("name the \(option) column with --\(option)-column") }
                return nil
            }
            guard let index = normalized.firstIndex(of: name.lowercased()) else {
                throw CLIError(
                    "the file has no column \"\(name)\" (for --\(option)-column); its columns are: \(header.joined(separator: ", "))"
                )
            }
            return index
        }
        let columns = ResolvedColumns(
            order: try find(order, "order", required: false),
            customer: try find(customer, "customer", required: true)!,
            date: try find(date, "date", required: true)!,
            sku: try find(sku, "sku", required: false),
            description: try find(description, "description", required: false),
            category: try find(category, "category", required: false),
            quantity: try find(quantity, "quantity", required: false),
            unitPrice: try find(unitPrice, "price", required: false),
            amount: try find(amount, "amount", required: false),
            country: try find(country, "country", required: false))
        if columns.amount == nil && columns.unitPrice == nil {
            throw CLIError("the file needs money: name --amount-column, or --price-column (with --quantity-column)")
        }
        return columns
    }
}

struct ResolvedColumns: Sendable {
    var order: Int?
    var customer: Int
    var date: Int
    var sku: Int?
    var description: Int?
    var category: Int?
    var quantity: Int?
    var unitPrice: Int?
    var amount: Int?
    var country: Int?
}
