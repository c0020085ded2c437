import Foundation
import RetainCore
import SQLKit

// Orders with their returns, read in pages for the analytics.
extension SQLStoreSession {
    func purchases(after: String?, limit: Int) async throws -> [PurchaseRow] {
        // The returns are summed per order of this page only (a correlated subquery on the order_returns index), in
        // SQL that SQLite and PostgreSQL both run (the cast keeps PostgreSQL's SUM from answering NUMERIC).
        let rows = try await database.raw(
            """
            SELECT o.order_id, o.customer_id, o.placed_at, o.total,
                   CAST(COALESCE((SELECT SUM(r.amount) FROM order_returns r
                                  WHERE r.program_id = o.program_id AND r.order_id = o.order_id), 0) AS BIGINT)
                     AS returned
            FROM orders o
            WHERE o.program_id = \(bind: programID) AND o.order_id > \(bind: after ?? "")
            ORDER BY o.order_id LIMIT \(bind: Int64(limit))
            """
        ).all()
        return try rows.map { row in
            PurchaseRow(
                orderID: try row.string("order_id"), customerID: try row.optionalString("customer_id"),
                placedAt: try row.date("placed_at"), paid: try row.int("total"), returned: try row.int("returned"))
        }
    }

    func purchaseFingerprint() async throws -> String {
        var parts: [String] = []
        for table in ["orders", "order_returns"] {
            let row = try await database.raw(
                """
                SELECT COUNT(*) AS count, COALESCE(MAX(created_at), 0) AS latest FROM \(ident: table)
                WHERE program_id = \(bind: programID)
                """
            ).first()
            parts.append("\(try row?.int("count") ?? 0)@\(try row?.int("latest") ?? 0)")
        }
        return parts.joined(separator: ",")
    }
}
