import Foundation
import RetainCore
import SQLKit

/// The `LoyaltyStore` written once with SQLKit; the provider decides the engine.
public struct SQLLoyaltyStore: LoyaltyStore {
    public let provider: any DatabaseProvider

    public init(provider: any DatabaseProvider) {
        self.provider = provider
    }

    public func write<T: Sendable>(program: String, _ body: @Sendable (any StoreSession) async throws -> T)
        async throws -> T
    {
        let lockClause = provider.rowLockClause
        return try await provider.withWriteTransaction { database in
            try await body(SQLStoreSession(database: database, programID: program, rowLockClause: lockClause))
        }
    }

    public func read<T: Sendable>(program: String, _ body: @Sendable (any StoreSession) async throws -> T)
        async throws -> T
    {
        try await provider.withReadTransaction { database in
            try await body(SQLStoreSession(database: database, programID: program, rowLockClause: nil))
        }
    }

    public var instance: any InstanceRepository { SQLInstanceRepository(provider: provider) }
}

/// One transaction's view of one program. Every statement is scoped by `program_id`.
struct SQLStoreSession: StoreSession {
    let database: any SQLDatabase
    let programID: String
    let rowLockClause: String?

    /// Rows per multi-row INSERT: one awaited statement costs ~50 µs, so bulk paths send many rows at once while
    /// staying under SQLite's 32,766 bound parameters.
    static let batchSize = 1_000

    /// `CAST(SUM(column) AS BIGINT)`: PostgreSQL's SUM of BIGINT answers NUMERIC, which does not decode as Int64.
    static func sum(_ column: String) -> any SQLExpression {
        SQLFunction("CAST", args: SQLAlias(SQLFunction("SUM", args: SQLIdentifier(column)), as: SQLRaw("BIGINT")))
    }

    /// Sets `columns` of many rows at once, one statement per 200 rows:
    /// `UPDATE t SET c = CASE key WHEN ? THEN ? … END, … WHERE program_id = ? AND key IN (…)` — plain SQL that
    /// SQLite and PostgreSQL both run, instead of one round trip per row.
    func updateRows(
        _ table: String, key: String, columns: [String], rows: [(key: String, values: [any Encodable & Sendable])]
    )
        async throws
    {
        for start in stride(from: 0, to: rows.count, by: 200) {
            let chunk = rows[start..<min(start + 200, rows.count)]
            var assignments: [any SQLExpression] = []
            for (index, column) in columns.enumerated() {
                var parts: [any SQLExpression] = [SQLRaw("CASE"), SQLIdentifier(key)]
                for row in chunk {
                    parts += [SQLRaw("WHEN"), SQLBind(row.key), SQLRaw("THEN"), SQLBind(row.values[index])]
                }
                parts.append(SQLRaw("END"))
                assignments.append(
                    SQLBinaryExpression(SQLIdentifier(column), .equal, SQLList(parts, separator: SQLRaw(" "))))
            }
            var query = SQLQueryString("UPDATE \(ident: table) SET ")
            query.appendInterpolation(SQLList(assignments))
            query.appendLiteral(" WHERE program_id = ")
            query.appendInterpolation(bind: programID)
            query.appendLiteral(" AND ")
            query.appendInterpolation(ident: key)
            query.appendLiteral(" IN ")
            query.appendInterpolation(SQLGroupExpression(SQLList(chunk.map { SQLBind($0.key) })))
            try await database.raw(query).run()
        }
    }

    func insertRows(_ table: String, columns: [String], rows: [[any Encodable & Sendable]]) async throws {
        let perStatement = max(1, min(Self.batchSize, 30_000 / max(columns.count, 1)))
        var start = 0
        while start < rows.count {
            let end = min(start + perStatement, rows.count)
            let builder = database.insert(into: table).columns(columns)
            for row in rows[start..<end] { builder.values(row.map { SQLBind($0) }) }
            try await builder.run()
            start = end
        }
    }
}
