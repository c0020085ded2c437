import Foundation
import RetainCore
import SQLKit

// The first reads of an order batch as one statement.
extension SQLStoreSession {
    /// One statement of plain SQL that both engines run:
    ///
    ///     WITH found AS (SELECT id, doc FROM customers WHERE program_id = ? AND (external_id IN (…) OR …)
    ///                    ORDER BY id FOR UPDATE)  -- the last line only where the store locks rows
    ///     SELECT 'c' AS kind, doc, NULL, NULL FROM found
    ///     UNION ALL SELECT 'o', doc, request_hash, response FROM orders WHERE program_id = ? AND order_id IN (…)
    ///     UNION ALL SELECT 'v', CAST(MAX(version) AS TEXT), NULL, NULL FROM program_configs WHERE program_id = ?
    ///
    /// Each part reads what it would read alone: the customers locked in id order (the lock waits for a batch
    /// that holds one, and returns its committed row), the orders and the newest version number as of the
    /// statement's start, which separate statements at READ COMMITTED would have read no later. Batches too big for
    /// one statement's parameters take the three reads one by one.
    func orderBatchStart(orderIDs: [String], lookups: [CustomerLookup]) async throws -> OrderBatchStart {
        let columns = Self.valuesByColumn(lookups)
        guard orderIDs.count + columns.reduce(0, { $0 + $1.values.count }) <= Self.batchSize else {
            let configuration = try await configurationInForce()
            return OrderBatchStart(
                configuration: configuration, orders: try await orders(ids: orderIDs),
                customers: try await findAndLockCustomers(lookups))
        }
        var query = SQLQueryString("")
        func list(_ values: [String]) {
            query.appendInterpolation(SQLGroupExpression(SQLList(values.map { SQLBind($0) })))
        }
        if !columns.isEmpty {
            query.appendLiteral("WITH found AS (SELECT id, doc FROM customers WHERE program_id = ")
            query.appendInterpolation(bind: programID)
            for (index, (column, values)) in columns.enumerated() {
                query.appendLiteral(index == 0 ? " AND (" : " OR ")
                query.appendInterpolation(ident: column)
                query.appendLiteral(" IN ")
                list(values)
            }
            query.appendLiteral(")")
            // Id order only for the locks' sake: without locks SQLite would walk the whole table in id order
            // instead of using the identifiers' indexes (measured: a third fewer orders/s).
            if let rowLockClause { query.appendLiteral(" ORDER BY id \(rowLockClause)") }
            query.appendLiteral(
                ") SELECT 'c' AS kind, doc, CAST(NULL AS TEXT) AS request_hash, CAST(NULL AS TEXT) AS response"
                    + " FROM found UNION ALL ")
        }
        if !orderIDs.isEmpty {
            query.appendLiteral("SELECT 'o' AS kind, doc, request_hash, response FROM orders WHERE program_id = ")
            query.appendInterpolation(bind: programID)
            query.appendLiteral(" AND order_id IN ")
            list(orderIDs)
            query.appendLiteral(" UNION ALL ")
        }
        query.appendLiteral(
            "SELECT 'v' AS kind, CAST(MAX(version) AS TEXT) AS doc, CAST(NULL AS TEXT) AS request_hash,"
                + " CAST(NULL AS TEXT) AS response FROM program_configs WHERE program_id = ")
        query.appendInterpolation(bind: programID)

        var start = OrderBatchStart(configuration: nil, orders: [], customers: [])
        var newest: Int64?
        for row in try await database.raw(query).all() {
            switch try row.string("kind") {
            case "c": start.customers.append(try StoreCoding.decode(Customer.self, from: row.string("doc")))
            case "o": start.orders.append(try Self.orderRecord(row))
            default: newest = try row.optionalString("doc").flatMap { Int64($0) }
            }
        }
        start.customers.sort { $0.id < $1.id }
        start.configuration = try await configurationInForce(newest: newest)
        return start
    }
}
