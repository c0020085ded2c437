import Foundation

/// One order as the analytics see it: who, when, what was paid and what returns took back.
public struct PurchaseRow: Sendable, Equatable {
    public var orderID: String
    /// Nil while the order is held unmatched.
    public var customerID: String?
    public var placedAt: Date
    /// What the customer paid, in minor units.
    public var paid: Int64
    /// Money returned against the order so far, in minor units.
    public var returned: Int64

    public init(orderID: String, customerID: String?, placedAt: Date, paid: Int64, returned: Int64) {
        self.orderID = orderID
        self.customerID = customerID
        self.placedAt = placedAt
        self.paid = paid
        self.returned = returned
    }
}
