import Logging
import NIOCore
import SQLKit

/// One bound value of a statement the store writes in bulk: the only column types the schema uses.
public enum RowValue: Hashable, Sendable {
    case text(String)
    case integer(Int64)
    case null

    /// The value of a row cell as the repositories build them (String, Int64, Int, Bool or an Optional of one).
    public init(_ value: any Encodable & Sendable) {
        switch value {
        case let text as String: self = .text(text)
        case let number as Int64: self = .integer(number)
        case let number as Int: self = .integer(Int64(number))
        case let flag as Bool: self = .integer(flag ? 1 : 0)
        case let text as String?: self = text.map(RowValue.text) ?? .null
        case let number as Int64?: self = number.map(RowValue.integer) ?? .null
        case let number as Int?: self = number.map { .integer(Int64($0)) } ?? .null
        default: preconditionFailure("a row cell of type \(type(of: value)) has no column type")
        }
    }
}

/// A write transaction's connection: SQLKit, plus SQL text run with already-typed values straight through the
/// driver. The bulk paths (multi-row INSERT and UPDATE) bind tens of thousands of values per batch; SQLKit's
/// expression tree and `Encodable` encoder for them were a third of the batch writes' time in an import.
public struct WriteDatabase: SQLDatabase {
    let base: any SQLDatabase
    /// The engine's n-th (1-based) bind placeholder: `?` or `$n`.
    let placeholder: @Sendable (Int) -> String
    let runner: @Sendable (String, [RowValue]) async throws -> Void

    public init(
        _ base: any SQLDatabase, placeholder: @escaping @Sendable (Int) -> String,
        runner: @escaping @Sendable (String, [RowValue]) async throws -> Void
    ) {
        self.base = base
        self.placeholder = placeholder
        self.runner = runner
    }

    /// Runs `sql` whose placeholders (made by `placeholder`) take `values` in order.
    public func run(_ sql: String, _ values: [RowValue]) async throws { try await runner(sql, values) }

    /// Inserts `rows` with multi-row `INSERT … VALUES (…), (…)`: up to 1,000 rows per statement (one awaited
    /// statement costs ~50 µs) and under 30,000 values (SQLite binds at most 32,766).
    public func insert(into table: String, columns: [String], rows: [[RowValue]]) async throws {
        let perStatement = max(1, min(1_000, 30_000 / max(columns.count, 1)))
        let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            var statement = BoundStatement(self, head)
            for index in start..<min(start + perStatement, rows.count) {
                statement.sql += index == start ? "(" : ", ("
                for (column, value) in rows[index].enumerated() {
                    if column > 0 { statement.sql += ", " }
                    statement.bind(value)
                }
                statement.sql += ")"
            }
            try await statement.run()
        }
    }

    public var logger: Logger { base.logger }
    public var eventLoop: any EventLoop { base.eventLoop }
    public var version: (any SQLDatabaseReportedVersion)? { base.version }
    public var dialect: any SQLDialect { base.dialect }
    public var queryLogLevel: Logger.Level? { base.queryLogLevel }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        base.execute(sql: query, onRow)
    }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await base.execute(sql: query, onRow)
    }

    public func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}

/// SQL text and its values, built side by side with the engine's placeholders.
struct BoundStatement {
    let database: WriteDatabase
    var sql: String
    var values: [RowValue] = []

    init(_ database: WriteDatabase, _ sql: String) {
        self.database = database
        self.sql = sql
    }

    mutating func bind(_ value: RowValue) {
        values.append(value)
        sql += database.placeholder(values.count)
    }

    /// Appends ` WHERE program_id = ? AND key IN (?, …)`.
    mutating func restrict<Keys: Collection<String>>(programID: String, key: String, to keys: Keys) {
        sql += " WHERE program_id = "
        bind(.text(programID))
        sql += " AND \"\(key)\" IN ("
        for (index, value) in keys.enumerated() {
            if index > 0 { sql += ", " }
            bind(.text(value))
        }
        sql += ")"
    }

    func run() async throws { try await database.run(sql, values) }
}
