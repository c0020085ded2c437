import Foundation
import RetainCore
import SQLKit

// Configuration versions and memberships: JSON documents with the columns the job and the reports select by.
extension SQLStoreSession {
    func configuration() async throws -> ConfigurationVersion? {
        try await configurationVersions(limit: 1).first
    }

    func configurationVersions(limit: Int) async throws -> [ConfigurationVersion] {
        let rows = try await database.select().columns("version", "doc", "rules", "actor", "created_at")
            .from("program_configs")
            .where("program_id", .equal, programID).orderBy("version", .descending).limit(limit)
            .all()
        if limit > 0 {
            let latest = try rows.first.map { try $0.int("version") } ?? 0
            memo.programVersion = latest
        }
        return try rows.map { row in
            ConfigurationVersion(
                version: Int(try row.int("version")),
                configuration: try StoreCoding.decode(LoyaltyConfiguration.self, from: row.string("doc")),
                rules: try StoreCoding.decode([EarningRule].self, from: row.string("rules")),
                createdAt: try row.date("created_at"), actor: try row.optionalString("actor"))
        }
    }

    func configurationInForce() async throws -> ConfigurationVersion? {
        let newest = try await database.select().column("version").from("program_configs")
            .where("program_id", .equal, programID).orderBy("version", .descending).limit(1)
            .first()
        return try await configurationInForce(newest: try newest?.int("version"))
    }

    /// The configuration in force when `newest` is the program's newest version number (nil: none saved): the
    /// cached decoding of that version, or the documents read and decoded.
    func configurationInForce(newest number: Int64?) async throws -> ConfigurationVersion? {
        guard let number else {
            memo.programVersion = 0
            return nil
        }
        if !memo.wroteConfiguration, let cached = configurations.version(Int(number), of: programID) {
            memo.programVersion = number
            return cached
        }
        let latest = try await configuration()
        if let latest, !memo.wroteConfiguration { configurations.remember(latest, of: programID) }
        return latest
    }

    func insertConfiguration(_ version: ConfigurationVersion) async throws {
        memo.programVersion = nil
        memo.wroteConfiguration = true
        try await database.insert(into: "program_configs")
            .columns("program_id", "version", "doc", "rules", "actor", "created_at")
            .values(
                SQLBind(programID), SQLBind(Int64(version.version)),
                SQLBind(try StoreCoding.document(version.configuration)),
                SQLBind(try StoreCoding.document(version.rules)), SQLBind(version.actor),
                SQLBind(StoreCoding.millis(version.createdAt))
            )
            .run()
    }

    func memberships(customerIDs: [String]) async throws -> [Membership] {
        var found: [Membership] = []
        for start in stride(from: 0, to: customerIDs.count, by: Self.batchSize) {
            let chunk = Array(customerIDs[start..<min(start + Self.batchSize, customerIDs.count)])
            let rows = try await database.select().column("doc").from("memberships")
                .where("program_id", .equal, programID).where("customer_id", .in, chunk)
                .all()
            found += try rows.map { try StoreCoding.decode(Membership.self, from: $0.string("doc")) }
        }
        return found
    }

    func memberships(after: String?, limit: Int) async throws -> [Membership] {
        var query = database.select().column("doc").from("memberships").where("program_id", .equal, programID)
        if let after { query = query.where("customer_id", .greaterThan, after) }
        return try await query.orderBy("customer_id").limit(limit).all().map {
            try StoreCoding.decode(Membership.self, from: $0.string("doc"))
        }
    }

    func saveMemberships(_ memberships: [(membership: Membership, tierID: String?, dueAt: Date?)]) async throws {
        let now = StoreCoding.millis(Date())
        for start in stride(from: 0, to: memberships.count, by: Self.batchSize) {
            let builder = database.insert(into: "memberships")
                .columns("program_id", "customer_id", "tier_id", "due_at", "doc", "updated_at")
            for item in memberships[start..<min(start + Self.batchSize, memberships.count)] {
                builder.values(
                    SQLBind(programID), SQLBind(item.membership.customerID), SQLBind(item.tierID),
                    SQLBind(StoreCoding.millis(item.dueAt)), SQLBind(try StoreCoding.document(item.membership)),
                    SQLBind(now))
            }
            try await builder.onConflict(with: ["program_id", "customer_id"]) { conflict in
                conflict.set(excludedValueOf: "tier_id").set(excludedValueOf: "due_at").set(excludedValueOf: "doc")
                    .set(excludedValueOf: "updated_at")
            }
            .run()
        }
    }

    func customersWithDueMemberships(asOf time: Date, after: DueCursor?, limit: Int) async throws -> DuePage {
        // Walks index memberships_due (program, due date, customer) from the cursor: a reviewed membership moves
        // to its next date, so a daily run reads only what fell due.
        let rows = try await database.raw(
            """
            SELECT customer_id, due_at FROM memberships
            WHERE program_id = \(bind: programID) AND due_at <= \(bind: StoreCoding.millis(time))
            \(Self.after(after, due: "due_at", id: "customer_id"))
            ORDER BY due_at, customer_id LIMIT \(bind: Int64(limit))
            """
        ).all()
        let last = try rows.last.map { DueCursor(due: try $0.date("due_at"), id: try $0.string("customer_id")) }
        return DuePage(
            customerIDs: try rows.map { try $0.string("customer_id") }, next: rows.count < limit ? nil : last)
    }

    func tierCounts() async throws -> [String: Int] {
        let rows = try await database.select().column("tier_id").column(
            SQLFunction("COUNT", args: SQLLiteral.all), as: "n"
        )
        .from("memberships").where("program_id", .equal, programID).groupBy("tier_id")
        .all()
        var counts: [String: Int] = [:]
        for row in rows {
            if let tier = try row.optionalString("tier_id") { counts[tier] = Int(try row.int("n")) }
        }
        // Customers without a membership row have not ordered since tiers began: they are in the first tier.
        let customers = try await database.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("customers").where("program_id", .equal, programID)
            .first()
        counts[""] = Int(try customers?.int("n") ?? 0) - counts.values.reduce(0, +)
        return counts
    }
}
