import Foundation
import RetainCore
import SQLKit

extension SQLStoreSession {
    func order(id: String) async throws -> OrderRecord? {
        try await orders(ids: [id]).first
    }

    func orders(ids: [String]) async throws -> [OrderRecord] {
        guard !ids.isEmpty else { return [] }
        var result: [OrderRecord] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let rows = try await database.select().columns("doc", "request_hash", "response").from("orders")
                .where("program_id", .equal, programID).where("order_id", .in, chunk)
                .all()
            result += try rows.map(Self.orderRecord)
        }
        return result
    }

    func orders(customerID: String, limit: Int) async throws -> [OrderRecord] {
        let rows = try await database.select().columns("doc", "request_hash", "response").from("orders")
            .where("program_id", .equal, programID).where("customer_id", .equal, customerID)
            .orderBy("placed_at", .descending).limit(limit)
            .all()
        return try rows.map(Self.orderRecord)
    }

    func listOrders(status: OrderRecord.Status?, limit: Int, after: String?) async throws -> [OrderRecord] {
        let select = database.select().columns("doc", "request_hash", "response").from("orders")
            .where("program_id", .equal, programID)
        if let status { select.where("status", .equal, status.rawValue) }
        if let after { select.where("order_id", .greaterThan, after) }
        return try await select.orderBy("order_id").limit(limit).all().map(Self.orderRecord)
    }

    func orders(placedAfter start: Date, after: String?, limit: Int) async throws -> [OrderRecord] {
        let select = database.select().columns("doc", "request_hash", "response").from("orders")
            .where("program_id", .equal, programID)
            .where("placed_at", .greaterThanOrEqual, StoreCoding.millis(start))
        if let after { select.where("order_id", .greaterThan, after) }
        return try await select.orderBy("order_id").limit(limit).all().map(Self.orderRecord)
    }

    static func orderRecord(_ row: any SQLRow) throws -> OrderRecord {
        var record = try StoreCoding.decode(OrderRecord.self, from: row.string("doc"))
        record.requestHash = try row.string("request_hash")
        record.response = try row.optionalString("response").map { Data($0.utf8) }
        return record
    }

    func insertOrders(_ orders: [OrderRecord]) async throws {
        guard !orders.isEmpty else { return }
        let programID = programID
        // The documents are made when the insert runs: while writing behind, beside the caller's next batch.
        try await insertRows(
            "orders",
            columns: [
                "program_id", "order_id", "customer_id", "status", "placed_at", "total", "points_earned",
                "request_hash", "response", "doc", "created_at",
            ],
            making: {
                orders.map { order in
                    [
                        .text(programID), .text(order.orderID), .text(order.customerID),
                        .text(order.status.rawValue), .millis(order.input.placedAt), .integer(order.input.paid),
                        .integer(order.pointsEarned), .text(order.requestHash),
                        .text(order.response.map { String(decoding: $0, as: UTF8.self) }),
                        .text(OrderDocument.json(order)), .millis(order.createdAt),
                    ]
                }
            })
    }

    func updateOrders(_ orders: [OrderRecord]) async throws {
        try await updateRows(
            "orders", key: "order_id", columns: ["customer_id", "status", "points_earned", "doc"],
            rows: orders.map { order in
                (
                    order.orderID,
                    [order.customerID, order.status.rawValue, order.pointsEarned, OrderDocument.json(order)]
                )
            })
    }

    func returnRecord(id: String) async throws -> ReturnRecord? {
        let row = try await database.select().columns("doc", "request_hash").from("order_returns")
            .where("program_id", .equal, programID).where("return_id", .equal, id)
            .first()
        return try row.map { row in
            var record = try StoreCoding.decode(ReturnRecord.self, from: row.string("doc"))
            record.requestHash = try row.string("request_hash")
            return record
        }
    }

    func existingReturnIDs(_ ids: [String]) async throws -> Set<String> {
        var found: Set<String> = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let rows = try await database.select().column("return_id").from("order_returns")
                .where("program_id", .equal, programID)
                .where("return_id", .in, Array(ids[start..<min(start + 500, ids.count)]))
                .all()
            for row in rows { found.insert(try row.string("return_id")) }
        }
        return found
    }

    func returnRecords(family id: String) async throws -> [ReturnRecord] {
        // `id/` up to `id0` ('0' follows '/'): the children, by a range that needs no LIKE escaping.
        let rows = try await database.select().columns("doc", "request_hash").from("order_returns")
            .where("program_id", .equal, programID)
            .where { group in
                group.where("return_id", .equal, id).orWhere { children in
                    children.where("return_id", .greaterThanOrEqual, id + "/").where("return_id", .lessThan, id + "0")
                }
            }
            .all()
        return try rows.map { row in
            var record = try StoreCoding.decode(ReturnRecord.self, from: row.string("doc"))
            record.requestHash = try row.string("request_hash")
            return record
        }
    }

    func insertReturns(_ returns: [ReturnRecord]) async throws {
        guard !returns.isEmpty else { return }
        let programID = programID
        // The documents are made when the insert runs: while writing behind, beside the caller's next batch.
        try await insertRows(
            "order_returns",
            columns: [
                "program_id", "return_id", "order_id", "customer_id", "amount", "points_reversed", "returned_at",
                "request_hash", "doc", "created_at",
            ],
            making: {
                try returns.map { item in
                    [
                        .text(programID), .text(item.returnID), .text(item.orderID), .text(item.customerID),
                        .integer(item.amount), .integer(item.pointsReversed), .millis(item.returnedAt),
                        .text(item.requestHash), .text(try StoreCoding.document(item)), .millis(item.createdAt),
                    ]
                }
            })
    }
}
