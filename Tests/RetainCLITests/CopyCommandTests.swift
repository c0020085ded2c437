import Foundation
@testable import RetainStore
import SQLKit
import Testing

@Suite("retain copy")
struct CopyCommandTests {
    /// A store with customers, orders, tiers, stamp cards, lots, expiries and lot draws: the analysis fixture's
    /// 120 customers under the Online Retail example program, expired in 2030.
    static func filledStore(_ database: String) throws {
        let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
        let file = folder.appendingPathComponent("orders.csv")
        try Data(AnalyzeDatabaseTests.orders.utf8).write(to: file)
        // The example program, with points that expire a year after their award.
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples/online-retail-program.json")
        var document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as? [String: Any])
        var rules = try #require(document["rules"] as? [[String: Any]])
        rules[0]["expires_after_days"] = 365
        document["rules"] = rules
        let program = folder.appendingPathComponent("program.json")
        try JSONSerialization.data(withJSONObject: document).write(to: program)
        for arguments in [
            ["program", "load", program.path, "--database", database],
            [
                "import", "orders", file.path, "--database", database, "--quiet", "--customer-column", "customer",
                "--order-column", "order", "--date-column", "date", "--amount-column", "amount",
            ],
            ["expire", "--database", database, "--as-of", "2030-01-01T00:00:00Z"],
        ] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
        }
    }

    /// Every row of every table, as text, in key order.
    static func contents(_ path: String) async throws -> [String: [String]] {
        let provider = try await SQLiteProvider.open(path: path)
        do {
            let contents = try await provider.withReadTransaction { database in
                var contents: [String: [String]] = [:]
                for table in StoreTables.all {
                    let rows = try await database.raw(
                        "SELECT * FROM \(ident: table.name) ORDER BY \(SQLList(table.key.map { SQLIdentifier($0) }))"
                    ).all()
                    contents[table.name] = try rows.map { row in
                        try
                            (table.text.map { "\(try row.decode(column: $0, as: String?.self) ?? "∅")" }
                            + table.integers.map {
                                "\(try row.decode(column: $0, as: Int64?.self).map(String.init) ?? "∅")"
                            })
                            .joined(separator: "|")
                    }
                }
                return contents
            }
            try await provider.close()
            return contents
        } catch {
            try? await provider.close()
            throw error
        }
    }

    @Test("SQLite → PostgreSQL → SQLite gives the same rows in every table", .enabled(if: PostgresForCLI.url != nil))
    func roundTrip() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            try Self.filledStore(database)
            let back = URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("back.sqlite")
                .path
            try await PostgresForCLI.withSchema { url in
                let there = try CLIRunner.run(["copy", "--from", database, "--to", url])
                #expect(there.status == 0, "\(there.stderr)")
                #expect(there.stdout.contains("every count and total above is the same on both sides"))
                #expect(there.stderr.contains("copying ledger_entries"))
                let home = try CLIRunner.run(["copy", "--from", url, "--to", "sqlite:" + back, "--json"])
                #expect(home.status == 0, "\(home.stderr)")
                let report = try #require(
                    try JSONSerialization.jsonObject(with: Data(home.stdout.utf8)) as? [String: Any])
                let programs = try #require(report["programs"] as? [[String: Any]])
                let program = try #require(programs.first { $0["program_id"] as? String == "default" })
                #expect(program["points"] as? Int != nil && program["points"] as? Int == program["lot_points"] as? Int)
            }
            let original = try await Self.contents(database)
            let copied = try await Self.contents(back)
            #expect((original["ledger_entries"]?.count ?? 0) > 500, "the fixture has a real ledger")
            #expect((original["lot_draws"]?.count ?? 0) > 0 && (original["memberships"]?.count ?? 0) > 0)
            for table in StoreTables.all {
                #expect(original[table.name] == copied[table.name], "\(table.name) differs after the round trip")
            }
        }
    }

    @Test("a destination that is not empty, the same database twice, or a missing source are refused")
    func refusals() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            try Self.filledStore(database)
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
            let copy = folder.appendingPathComponent("copy.sqlite").path
            #expect(try CLIRunner.run(["copy", "--from", database, "--to", copy]).status == 0)
            let before = try await Self.contents(copy)
            let again = try CLIRunner.run(["copy", "--from", database, "--to", copy])
            #expect(again.status != 0)
            #expect(again.stderr.contains("the destination is not empty"))
            #expect(try await Self.contents(copy) == before, "a refused copy writes nothing")

            let same = try CLIRunner.run(["copy", "--from", database, "--to", "sqlite:" + database])
            #expect(same.status != 0 && same.stderr.contains("the same database"))
            let missing = try CLIRunner.run([
                "copy", "--from", folder.appendingPathComponent("no.sqlite").path, "--to", copy,
            ])
            #expect(missing.status != 0 && missing.stderr.contains("no such database"))
        }
    }

    @Test("the table list the copy moves matches the migrated schema")
    func catalogueMatchesSchema() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            #expect(try CLIRunner.run(["migrate", "--database", database]).status == 0)
            let provider = try await SQLiteProvider.open(path: database)
            do {
                try await provider.withReadTransaction { db in
                    let tables = try await db.raw(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    ).all().map { try $0.decode(column: "name", as: String.self) }
                    #expect(
                        Set(tables).subtracting(StoreTables.processState) == Set(StoreTables.all.map(\.name)),
                        "every business table is copied")
                    for table in StoreTables.all {
                        let columns = try await db.raw("SELECT name, type FROM pragma_table_info(\(bind: table.name))")
                            .all().map {
                                (
                                    try $0.decode(column: "name", as: String.self),
                                    try $0.decode(column: "type", as: String.self)
                                )
                            }
                        #expect(Set(columns.filter { $0.1 == "TEXT" }.map(\.0)) == Set(table.text), "\(table.name)")
                        #expect(
                            Set(columns.filter { $0.1 == "BIGINT" }.map(\.0)) == Set(table.integers), "\(table.name)")
                        #expect(columns.count == table.columns.count, "\(table.name)")
                    }
                }
                try await provider.close()
            } catch {
                try? await provider.close()
                throw error
            }
        }
    }
}
