import Foundation
import RetainCore
import SQLKit

extension SQLStoreSession {
    func openLots(customerIDs: [String]) async throws -> [PointLot] {
        guard !customerIDs.isEmpty else { return [] }
        var lots: [PointLot] = []
        for start in stride(from: 0, to: customerIDs.count, by: 500) {
            let chunk = Array(customerIDs[start..<min(start + 500, customerIDs.count)])
            let rows = try await database.select()
                .columns(
                    "id", "customer_id", "points", "remaining", "awarded_at", "matures_at", "expires_at", "entry_id",
                    "renews"
                )
                .from("point_lots")
                .where("program_id", .equal, programID).where("customer_id", .in, chunk)
                .where("remaining", .greaterThan, SQLLiteral.numeric("0"))
                .all()
            lots += try rows.map { row in
                PointLot(
                    id: try row.string("id"), programID: programID, customerID: try row.string("customer_id"),
                    points: try row.int("points"), remaining: try row.int("remaining"),
                    awardedAt: try row.date("awarded_at"), maturesAt: try row.date("matures_at"),
                    expiresAt: try row.optionalDate("expires_at"), entryID: try row.string("entry_id"),
                    renews: try row.int("renews") != 0)
            }
        }
        return lots
    }

    /// The latest configuration version of the program, read once per transaction.
    private func currentProgramVersion() async throws -> Int64 {
        if let known = memo.programVersion { return known }
        let latest =
            try await database.select()
            .column(SQLFunction("MAX", args: SQLIdentifier("version")), as: "v").from("program_configs")
            .where("program_id", .equal, programID).first()?.optionalInt("v") ?? 0
        memo.programVersion = latest
        return latest
    }

    func apply(_ changes: LedgerChanges) async throws {
        // The version in force in this transaction: writers are serialised, so it is the one the use case read.
        let version = changes.entries.isEmpty ? 0 : try await currentProgramVersion()
        try await insertRows(
            "ledger_entries",
            columns: [
                "program_id", "id", "customer_id", "kind", "points", "reason", "source_type", "source_id", "actor",
                "at", "lot_id", "rule_id", "created_at", "program_version",
            ],
            typed: changes.entries.map { entry in
                [
                    .text(programID), .text(entry.id), .text(entry.customerID), .text(entry.kind.rawValue),
                    .integer(entry.points), .text(entry.reason), .text(entry.sourceType.rawValue),
                    .text(entry.sourceID), .text(entry.actor), .millis(entry.at), .text(entry.lotID),
                    .text(entry.ruleID), .millis(entry.createdAt), .integer(version),
                ]
            })
        try await insertRows(
            "point_lots",
            columns: [
                "program_id", "id", "customer_id", "points", "remaining", "awarded_at", "matures_at", "expires_at",
                "entry_id", "renews",
            ],
            typed: changes.newLots.map { lot in
                [
                    .text(programID), .text(lot.id), .text(lot.customerID), .integer(lot.points),
                    .integer(lot.remaining), .millis(lot.awardedAt), .millis(lot.maturesAt), .millis(lot.expiresAt),
                    .text(lot.entryID), .integer(lot.renews ? 1 : 0),
                ]
            })
        try await updateRows(
            "point_lots", key: "id", columns: ["remaining"],
            rows: changes.lotRemaining.sorted(by: { $0.key < $1.key }).map { ($0.key, [$0.value]) })
        try await updateRows(
            "point_lots", key: "id", columns: ["expires_at"],
            rows: changes.lotExpiry.sorted(by: { $0.key < $1.key }).map { ($0.key, [StoreCoding.millis($0.value)]) })
        try await insertRows(
            "lot_draws", columns: ["program_id", "entry_id", "lot_id", "points"],
            typed: changes.draws.map { [.text(programID), .text($0.entryID), .text($0.lotID), .integer($0.points)] })
    }

    func entries(customerID: String, limit: Int, before: String?) async throws -> [LedgerEntry] {
        let select = database.select()
            .columns(
                "id", "customer_id", "kind", "points", "reason", "source_type", "source_id", "actor", "at", "lot_id",
                "rule_id", "created_at", "program_version"
            )
            .from("ledger_entries")
            .where("program_id", .equal, programID).where("customer_id", .equal, customerID)
        if let before,
            let cursor = try await database.select().column("at").from("ledger_entries")
                .where("program_id", .equal, programID).where("id", .equal, before).first()
        {
            let at = try cursor.int("at")
            select.where { group in
                group.where("at", .lessThan, at).orWhere { inner in
                    inner.where("at", .equal, at).where("id", .lessThan, before)
                }
            }
        }
        let rows = try await select.orderBy("at", .descending).orderBy("id", .descending).limit(limit).all()
        return try rows.map { row in
            var entry = LedgerEntry(
                id: try row.string("id"), programID: programID, customerID: try row.string("customer_id"),
                kind: LedgerEntry.Kind(rawValue: try row.string("kind")) ?? .adjust, points: try row.int("points"),
                reason: try row.string("reason"),
                sourceType: LedgerEntry.SourceType(rawValue: try row.string("source_type")) ?? .admin,
                sourceID: try row.optionalString("source_id"), actor: try row.optionalString("actor"),
                at: try row.date("at"), lotID: try row.optionalString("lot_id"),
                ruleID: try row.optionalString("rule_id"),
                createdAt: try row.date("created_at"))
            entry.programVersion = try row.optionalInt("program_version").map(Int.init)
            return entry
        }
    }

    func balance(customerID: String) async throws -> Int64 {
        let row = try await database.raw(
            """
            SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS total FROM ledger_entries
            WHERE program_id = \(bind: programID) AND customer_id = \(bind: customerID)
            """
        ).first()
        return try row?.int("total") ?? 0
    }

    func customersWithExpiredLots(asOf time: Date, after: DueCursor?, limit: Int) async throws -> DuePage {
        // Walks index point_lots_expiry (program, expiry, id; open lots only) from the cursor: a lot written off
        // leaves the index, and the cursor moves past any lot the job leaves open, so each due lot is read once.
        let rows = try await database.raw(
            """
            SELECT customer_id, expires_at, id FROM point_lots
            WHERE program_id = \(bind: programID) AND remaining > 0 AND expires_at <= \(bind: StoreCoding.millis(time))
            \(Self.after(after, due: "expires_at", id: "id"))
            ORDER BY expires_at, id LIMIT \(bind: Int64(limit))
            """
        ).all()
        let last = try rows.last.map { DueCursor(due: try $0.date("expires_at"), id: try $0.string("id")) }
        return DuePage(
            customerIDs: Self.firstSeen(try rows.map { try $0.string("customer_id") }),
            next: rows.count < limit ? nil : last)
    }

    func countAwards(customerID: String, ruleID: String, since: Date) async throws -> Int {
        let row = try await database.raw(
            """
            SELECT COUNT(*) AS n FROM ledger_entries
            WHERE program_id = \(bind: programID) AND customer_id = \(bind: customerID)
              AND rule_id = \(bind: ruleID) AND kind = 'earn' AND at >= \(bind: StoreCoding.millis(since))
            """
        ).first()
        return Int(try row?.int("n") ?? 0)
    }
}

// Reports over the whole program's lots and entries.
extension SQLStoreSession {
    func expiringPoints(from: Date, to: Date, limit: Int, after: String?) async throws
        -> [(customerID: String, points: Int64, firstExpiry: Date)]
    {
        var query = database.select().column("customer_id")
            .column(SQLStoreSession.sum("remaining"), as: "points")
            .column(SQLFunction("MIN", args: SQLIdentifier("expires_at")), as: "first_expiry")
            .from("point_lots")
            .where("program_id", .equal, programID)
            .where("remaining", .greaterThan, SQLLiteral.numeric("0"))
            .where("expires_at", .greaterThan, StoreCoding.millis(from))
            .where("expires_at", .lessThanOrEqual, StoreCoding.millis(to))
        if let after { query = query.where("customer_id", .greaterThan, after) }
        let rows = try await query.groupBy("customer_id").orderBy("customer_id").limit(limit).all()
        return try rows.map {
            (try $0.string("customer_id"), try $0.int("points"), try $0.date("first_expiry"))
        }
    }

    func openLotBalances() async throws -> [(remaining: Int64, maturesAt: Date, expiresAt: Date?)] {
        let rows = try await database.select().columns("remaining", "matures_at", "expires_at").from("point_lots")
            .where("program_id", .equal, programID)
            .where("remaining", .greaterThan, SQLLiteral.numeric("0"))
            .all()
        return try rows.map { (try $0.int("remaining"), try $0.date("matures_at"), try $0.optionalDate("expires_at")) }
    }

    func entryTotals(from: Date, to: Date) async throws -> [LedgerEntry.Kind: Int64] {
        let rows = try await database.select().column("kind")
            .column(SQLStoreSession.sum("points"), as: "points")
            .from("ledger_entries")
            .where("program_id", .equal, programID)
            .where("at", .greaterThanOrEqual, StoreCoding.millis(from))
            .where("at", .lessThan, StoreCoding.millis(to))
            .groupBy("kind")
            .all()
        var totals: [LedgerEntry.Kind: Int64] = [:]
        for row in rows {
            if let kind = LedgerEntry.Kind(rawValue: try row.string("kind")) { totals[kind] = try row.int("points") }
        }
        return totals
    }
}
