import Foundation
import SQLKit

/// Copies every program's data from one Retain database to another, empty one — the move of a shop from the
/// embedded SQLite default to a PostgreSQL server (or back).
///
/// The source is read in one read transaction (one consistent snapshot) and the destination is written in one
/// write transaction: a copy that fails half-way leaves the destination empty. Before it commits, the copy counts
/// the rows of every table and sums every program's ledger and lots on both sides, and refuses to commit if any of
/// them differ.
public struct DatabaseCopy: Sendable {
    public struct TableCount: Codable, Sendable, Equatable {
        public var table: String
        public var source: Int
        public var copied: Int
    }

    /// One program's totals, the same on both sides after a copy.
    public struct ProgramTotals: Codable, Sendable, Equatable {
        public var programID: String
        public var customers: Int
        public var entries: Int
        /// The sum of every ledger entry: the points all customers hold.
        public var points: Int64
        /// The points left in open lots (equal to `points` when the ledger is consistent).
        public var lotPoints: Int64

        enum CodingKeys: String, CodingKey {
            case programID = "program_id"
            case customers, entries, points
            case lotPoints = "lot_points"
        }
    }

    public struct Report: Codable, Sendable {
        public var tables: [TableCount]
        public var programs: [ProgramTotals]
        /// Rows the source gained or lost while it was copied, by table; empty when it held still.
        public var sourceChanged: [String: Int]

        enum CodingKeys: String, CodingKey {
            case tables, programs
            case sourceChanged = "source_changed"
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case destinationNotEmpty(table: String, rows: Int)
        case mismatch(String)

        public var description: String {
            switch self {
            case .destinationNotEmpty(let table, let rows):
                return "the destination is not empty (\(table) has \(rows) rows): copy into a new, empty database"
            case .mismatch(let detail): return "the copy does not match the source, nothing was written: \(detail)"
            }
        }
    }

    let source: any DatabaseProvider
    let destination: any DatabaseProvider
    /// Rows per read.
    let pageSize: Int

    /// - Parameters:
    ///   - source, destination: both migrated to the same schema version.
    public init(from source: any DatabaseProvider, to destination: any DatabaseProvider, pageSize: Int = 2_000) {
        self.source = source
        self.destination = destination
        self.pageSize = pageSize
    }

    /// Runs the copy. `progress` gets (table, rows copied, rows in the table) as each page lands.
    public func run(progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in }) async throws -> Report {
        let pageSize = pageSize
        let destination = destination
        let report = try await source.withReadTransaction { from in
            let counts = try await Self.counts(from)
            let totals = try await Self.totals(from)
            return try await destination.withWriteTransaction { to in
                for table in StoreTables.all {
                    let rows = try await Self.count(table.name, in: to)
                    if rows > 0 { throw Failure.destinationNotEmpty(table: table.name, rows: rows) }
                }
                for table in StoreTables.all {
                    try await Self.copy(table, from: from, to: to, pageSize: pageSize) {
                        progress(table.name, $0, counts[table.name] ?? 0)
                    }
                }
                let copied = try await Self.counts(to)
                for table in StoreTables.all where copied[table.name] != counts[table.name] {
                    throw Failure.mismatch(
                        "\(table.name): \(counts[table.name] ?? 0) rows in the source, \(copied[table.name] ?? 0) copied"
                    )
                }
                let copiedTotals = try await Self.totals(to)
                guard copiedTotals == totals else {
                    throw Failure.mismatch("program totals \(totals) in the source, \(copiedTotals) copied")
                }
                return Report(
                    tables: StoreTables.all.map {
                        TableCount(table: $0.name, source: counts[$0.name] ?? 0, copied: copied[$0.name] ?? 0)
                    },
                    programs: totals, sourceChanged: [:])
            }
        }
        // A shop still taking orders during the copy: what came after the snapshot is not in the destination.
        let after = try await source.withReadTransaction { try await Self.counts($0) }
        var result = report
        for table in report.tables where after[table.table] != table.source {
            result.sourceChanged[table.table] = (after[table.table] ?? 0) - table.source
        }
        return result
    }

    private static func copy(
        _ table: StoreTables.Table, from: any SQLDatabase, to: WriteDatabase, pageSize: Int, progress: (Int) -> Void
    ) async throws {
        var last: [any Encodable & Sendable]?
        var copied = 0
        while true {
            var query = SQLQueryString("SELECT ")
            query.appendInterpolation(SQLList(table.columns.map { SQLIdentifier($0) }))
            query.appendLiteral(" FROM ")
            query.appendInterpolation(ident: table.name)
            if let last {
                // Keyset paging on the primary key: each page starts after the last row of the one before.
                query.appendLiteral(" WHERE ")
                query.appendInterpolation(SQLGroupExpression(SQLList(table.key.map { SQLIdentifier($0) })))
                query.appendLiteral(" > ")
                query.appendInterpolation(SQLGroupExpression(SQLList(last.map { SQLBind($0) })))
            }
            query.appendLiteral(" ORDER BY ")
            query.appendInterpolation(SQLList(table.key.map { SQLIdentifier($0) }))
            query.appendLiteral(" LIMIT \(pageSize)")
            let rows = try await from.raw(query).all()
            if rows.isEmpty { return }
            var values: [[RowValue]] = []
            values.reserveCapacity(rows.count)
            for row in rows {
                var value: [RowValue] = []
                for column in table.text {
                    value.append(try row.decode(column: column, as: String?.self).map(RowValue.text) ?? .null)
                }
                for column in table.integers {
                    value.append(try row.decode(column: column, as: Int64?.self).map(RowValue.integer) ?? .null)
                }
                values.append(value)
            }
            try await to.insert(into: table.name, columns: table.columns, rows: values)
            let lastRow = rows[rows.count - 1]
            last = try table.key.map { column -> any Encodable & Sendable in
                table.integers.contains(column)
                    ? try lastRow.decode(column: column, as: Int64.self)
                    : try lastRow.decode(column: column, as: String.self)
            }
            copied += rows.count
            progress(copied)
            if rows.count < pageSize { return }
        }
    }

    private static func count(_ table: String, in database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    private static func counts(_ database: any SQLDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in StoreTables.all { counts[table.name] = try await count(table.name, in: database) }
        return counts
    }

    /// Customers, entries, ledger sum and open lot points of every program, in program order.
    static func totals(_ database: any SQLDatabase) async throws -> [ProgramTotals] {
        var totals: [String: ProgramTotals] = [:]
        for row in try await database.raw("SELECT id FROM programs").all() {
            let id = try row.decode(column: "id", as: String.self)
            totals[id] = ProgramTotals(programID: id, customers: 0, entries: 0, points: 0, lotPoints: 0)
        }
        for row in try await database.raw("SELECT program_id, COUNT(*) AS n FROM customers GROUP BY program_id").all() {
            totals[try row.decode(column: "program_id", as: String.self)]?.customers = Int(
                try row.decode(column: "n", as: Int64.self))
        }
        let entries = try await database.raw(
            "SELECT program_id, COUNT(*) AS n, CAST(SUM(points) AS BIGINT) AS points FROM ledger_entries GROUP BY program_id"
        ).all()
        for row in entries {
            let id = try row.decode(column: "program_id", as: String.self)
            totals[id]?.entries = Int(try row.decode(column: "n", as: Int64.self))
            totals[id]?.points = try row.decode(column: "points", as: Int64.self)
        }
        let lots = try await database.raw(
            "SELECT program_id, CAST(SUM(remaining) AS BIGINT) AS points FROM point_lots GROUP BY program_id"
        ).all()
        for row in lots {
            totals[try row.decode(column: "program_id", as: String.self)]?.lotPoints = try row.decode(
                column: "points", as: Int64.self)
        }
        return totals.values.sorted { $0.programID < $1.programID }
    }
}
