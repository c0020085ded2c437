import Foundation
import RetainCore

/// The stored JSON of an order, written by hand for speed (see `JSONTextWriter`); the keys are `OrderRecord`'s
/// coding keys, so `StoreCoding.decode(OrderRecord.self, …)` reads it back (lines in the compact form `OrderLine`
/// reads from stored documents, `CodingUserInfoKey.storedDocument`).
enum OrderDocument {
    static func json(_ record: OrderRecord) -> String {
        var writer = JSONTextWriter(capacity: 256 + record.input.lines.count * 96)
        writer.object { doc in
            doc.field("program_id", record.programID)
            doc.field("order_id", record.orderID)
            doc.field("customer_id", record.customerID)
            doc.field("status", record.status.rawValue)
            doc.key("input")
            input(record.input, into: &doc)
            doc.key("awards")
            doc.array(record.awards) { writer, state in
                writer.object { award in
                    award.key("award")
                    award.object { inner in
                        inner.field("rule_id", state.award.ruleID)
                        inner.field("rule_name", state.award.ruleName)
                        inner.field("points", state.award.points)
                        inner.key("line_points")
                        inner.array(state.award.linePoints) { $0.number($1) }
                        inner.field("matures_at", state.award.maturesAt)
                        inner.field("expires_at", state.award.expiresAt)
                    }
                    award.field("entry_id", state.entryID)
                    award.field("lot_id", state.lotID)
                    award.field("reversed", state.reversed)
                }
            }
            doc.key("returned_units")
            doc.array(record.returnedUnits) { $0.number($1) }
            doc.field("returned_amount", record.returnedAmount)
            doc.field("created_at", record.createdAt)
        }
        return writer.text
    }

    private static func input(_ order: OrderInput, into writer: inout JSONTextWriter) {
        writer.object { doc in
            doc.field("order_id", order.orderID)
            doc.key("customer")
            doc.object { customer in
                customer.field("customer_id", order.customer.customerID)
                customer.field("external_id", order.customer.externalID)
                customer.field("card_number", order.customer.cardNumber)
                customer.field("email", order.customer.email)
                customer.field("phone", order.customer.phone)
            }
            doc.field("placed_at", order.placedAt)
            doc.field("currency", order.currency)
            doc.key("lines")
            // Each line as `[sku, category, name, quantity, unit_price]`, and its discount after them when it is
            // not 0: an imported order has dozens of lines, and their keys were more than a quarter of its document
            // (the Online Retail orders: 45.8 MB → 33.3 MB).
            doc.array(order.lines) { writer, line in
                writer.list { item in
                    item.value(line.sku)
                    item.value(line.category)
                    item.value(line.name)
                    item.number(line.quantity)
                    item.number(line.unitPrice)
                    if line.discount != 0 { item.number(line.discount) }
                }
            }
            doc.field("discount", order.discount)
            doc.field("total", order.total)
            doc.field("channel", order.channel)
        }
    }
}
