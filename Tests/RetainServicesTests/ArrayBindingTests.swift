import Foundation
import PropertyBased
@testable import RetainStore
import SQLKit
import Testing

/// Where the engine binds arrays (PostgreSQL), multi-row inserts send one array per column through `unnest` and
/// lists one array through `= ANY(…)`, so the statement text does not depend on how many rows or keys it carries and
/// can stay prepared. Whatever the rows hold (NULLs first, last, everywhere, in text and integer columns), they are
/// stored exactly, alone and combined with other inserts, on both engines.
@Suite struct ArrayBindingTests {
    /// Per row: a nullable text and a nullable integer (often NULL, so that columns start, end or are all NULL).
    static let rows = zip(Gen.int(in: 0...3), Gen.int(in: -2...2)).array(of: 1...60)

    @Test func rowsWithNullsAnywhereAreStoredExactly() async throws {
        try await forEachBackend { backend in
            try await backend.withEmptyDatabase { provider in
                try await provider.withWriteTransaction { database in
                    for table in ["array_probe", "array_other"] {
                        try await database.raw(
                            """
                            CREATE TABLE \(unsafeRaw: table) (program_id TEXT NOT NULL, id TEXT NOT NULL, t TEXT,
                            n BIGINT, PRIMARY KEY (program_id, id))
                            """
                        ).run()
                    }
                }
                await propertyCheck(count: 20, input: Self.rows) { rows in
                    let expected = rows.enumerated().map { index, row in
                        Probe(
                            id: "r\(index)", text: row.0 == 0 ? nil : "t\(row.0)\u{e9}'\"",
                            number: row.1 == 0 ? nil : Int64(row.1) * 1_000_000_000_000)
                    }
                    do {
                        let stored = try await provider.withWriteTransaction { database in
                            let session = SQLStoreSession(database: database, programID: "p", rowLockClause: nil)
                            try await database.raw("DELETE FROM array_probe").run()
                            try await database.raw("DELETE FROM array_other").run()
                            let cells = expected.map { probe -> [any Encodable & Sendable] in
                                ["p", probe.id, probe.text, probe.number]
                            }
                            try await session.insertRows("array_probe", columns: Probe.columns, rows: cells)
                            // The same rows once more, combined with another table's into one statement.
                            try await session.combiningInserts {
                                try await session.insertRows("array_other", columns: Probe.columns, rows: cells)
                                try await session.insertRows(
                                    "array_probe", columns: Probe.columns,
                                    rows: [["q", "only", String?.none, Int64?.none]])
                            }
                            return (
                                try await Probe.read("array_probe", database),
                                try await Probe.read("array_other", database)
                            )
                        }
                        #expect(stored.0 == expected + [Probe(id: "only", text: nil, number: nil)], "\(backend)")
                        #expect(stored.1 == expected, "\(backend)")
                    } catch {
                        Issue.record("\(backend): \(error)")
                    }
                }
            }
        }
    }

    /// The text of an insert or a list depends on the table, the columns and which columns are NULL in every row,
    /// not on the number of rows or keys; a column that mixes text and integers falls back to `VALUES`.
    @Test func statementTextDoesNotDependOnTheNumberOfRows() async throws {
        // Statements are only built here, never run: any SQLite connection will do as the base.
        try await TestBackend.sqlite.withEmptyDatabase { provider in
            try await provider.withWriteTransaction { try await Self.checkTexts(on: $0) }
        }
    }

    private static func checkTexts(on base: any SQLDatabase) async throws {
        let arrays = WriteDatabase(base, placeholder: { "$\($0)" }, bindsArrays: true) { _ in [] }
        func insert(_ rows: [[RowValue]], on database: WriteDatabase = arrays) -> BoundSQL {
            var statement = BoundStatement(database, "")
            statement.reusable = true
            statement.appendInsert(into: "t", columns: ["a", "b", "c"], rows: rows[...])
            return statement.bound
        }
        let one = insert([[.text("x"), .null, .null]])
        let many = insert((0..<50).map { [.text("x\($0)"), $0 == 0 ? .null : .integer(Int64($0)), .null] })
        let expected =
            #"INSERT INTO "t" ("a", "b", "c") SELECT "a", "b", NULL"#
            + #" FROM unnest($1::text[], $2::int8[]) AS u("a", "b")"#
        #expect(many.sql == expected)
        #expect(many.reusable && many.values.count == 2)
        #expect(many.values[1] == .integers([nil] + (1..<50).map { Int64($0) }))
        #expect(one.sql == #"INSERT INTO "t" ("a", "b", "c") SELECT "a", NULL, NULL FROM unnest($1::text[]) AS u("a")"#)
        let mixed = insert([[.text("x"), .integer(1), .null], [.text("y"), .text("2"), .null]])
        #expect(mixed.sql.hasSuffix("VALUES ($1, $2, $3), ($4, $5, $6)") && !mixed.reusable)

        var list = BoundStatement(arrays, "SELECT 1 FROM t WHERE ")
        list.reusable = true
        list.appendMembership("k", in: ["a", "b", "c"])
        #expect(list.bound.sql == #"SELECT 1 FROM t WHERE "k" = ANY($1)"# && list.bound.reusable)

        let plain = WriteDatabase(base, placeholder: { _ in "?" }) { _ in [] }
        var values = BoundStatement(plain, "SELECT 1 FROM t WHERE ")
        values.reusable = true
        values.appendMembership("k", in: ["a", "b"])
        #expect(values.bound.sql == #"SELECT 1 FROM t WHERE "k" IN (?, ?)"# && !values.bound.reusable)
        #expect(insert([[.text("x"), .null, .null]], on: plain).sql.hasSuffix("VALUES (?, ?, ?)"))
    }
}

private struct Probe: Equatable {
    static let columns = ["program_id", "id", "t", "n"]
    let id: String
    let text: String?
    let number: Int64?

    static func read(_ table: String, _ database: any SQLDatabase) async throws -> [Probe] {
        try await database.raw("SELECT id, t, n FROM \(unsafeRaw: table) ORDER BY program_id, length(id), id").all()
            .map { row in
                Probe(
                    id: try row.decode(column: "id", as: String.self),
                    text: try row.decode(column: "t", as: String?.self),
                    number: try row.decode(column: "n", as: Int64?.self))
            }
    }
}
