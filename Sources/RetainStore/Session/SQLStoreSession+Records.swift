import Foundation
import RetainCore
import SQLKit

// Earning rules, custom events, idempotency records and redemptions: small tables kept as JSON documents.
extension SQLStoreSession {
    func rules() async throws -> [EarningRule] {
        let rows = try await database.select().column("doc").from("earning_rules")
            .where("program_id", .equal, programID).orderBy("id")
            .all()
        return try rows.map { try StoreCoding.decode(EarningRule.self, from: $0.string("doc")) }
    }

    func saveRule(_ rule: EarningRule, at: Date) async throws {
        try await database.insert(into: "earning_rules")
            .columns("program_id", "id", "doc", "updated_at")
            .values(
                SQLBind(programID), SQLBind(rule.id), SQLBind(try StoreCoding.document(rule)),
                SQLBind(StoreCoding.millis(at))
            )
            .onConflict(with: ["program_id", "id"]) { conflict in
                conflict.set(excludedValueOf: "doc").set(excludedValueOf: "updated_at")
            }
            .run()
    }

    func deleteRule(id: String) async throws {
        try await database.delete(from: "earning_rules")
            .where("program_id", .equal, programID).where("id", .equal, id)
            .run()
    }

    func insertEvent(_ event: EventRecord) async throws {
        try await database.insert(into: "events")
            .columns(
                "program_id", "event_id", "name", "customer_id", "occurred_at", "points_awarded", "doc",
                "created_at"
            )
            .values(
                SQLBind(programID), SQLBind(event.input.eventID), SQLBind(event.input.name),
                SQLBind(event.customerID), SQLBind(StoreCoding.millis(event.input.occurredAt)),
                SQLBind(event.pointsAwarded), SQLBind(try StoreCoding.document(event)),
                SQLBind(StoreCoding.millis(event.createdAt))
            )
            .run()
    }

    func event(id: String) async throws -> EventRecord? {
        let row = try await database.select().column("doc").from("events")
            .where("program_id", .equal, programID).where("event_id", .equal, id)
            .first()
        return try row.map { try StoreCoding.decode(EventRecord.self, from: $0.string("doc")) }
    }

    func idempotencyRecord(scope: String, key: String) async throws -> IdempotencyRecord? {
        let row = try await database.select().columns("request_hash", "response", "created_at").from("idempotency_keys")
            .where("program_id", .equal, programID).where("scope", .equal, scope).where("key", .equal, key)
            .first()
        return try row.map { row in
            IdempotencyRecord(
                scope: scope, key: key, requestHash: try row.string("request_hash"),
                response: Data(try row.string("response").utf8), createdAt: try row.date("created_at"))
        }
    }

    func insertIdempotencyRecords(_ records: [IdempotencyRecord]) async throws {
        try await insertRows(
            "idempotency_keys", columns: ["program_id", "scope", "key", "request_hash", "response", "created_at"],
            rows: records.map { record in
                [
                    programID, record.scope, record.key, record.requestHash,
                    String(decoding: record.response, as: UTF8.self),
                    StoreCoding.millis(record.createdAt),
                ]
            })
    }

    func insertRedemption(_ redemption: RedemptionRecord) async throws {
        try await database.insert(into: "redemptions")
            .columns(
                "program_id", "id", "customer_id", "idempotency_key", "points", "amount", "currency", "order_id",
                "reward_id", "entry_id", "created_at"
            )
            .values(
                SQLBind(programID), SQLBind(redemption.id), SQLBind(redemption.customerID),
                SQLBind(redemption.idempotencyKey), SQLBind(redemption.points), SQLBind(redemption.amount),
                SQLBind(redemption.currency), SQLBind(redemption.orderID), SQLBind(redemption.rewardID),
                SQLBind(redemption.entryID), SQLBind(StoreCoding.millis(redemption.createdAt))
            )
            .run()
    }
}
