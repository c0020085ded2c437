import Logging
import NIOCore
import SQLKit
import Synchronization

/// One bound value of a statement the store writes in bulk: the only column types the schema uses, and (where the
/// engine binds arrays, see `WriteDatabase.bindsArrays`) a column of them.
public enum RowValue: Hashable, Sendable {
    case text(String)
    case integer(Int64)
    case null
    /// One array value: a list for `= ANY(…)` or a column of many rows for `unnest(…)`.
    case texts([String?])
    case integers([Int64?])

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

/// A statement as the driver gets it: SQL text with the engine's placeholders and its values in order.
public struct BoundSQL: Sendable {
    public var sql: String
    public var values: [RowValue]
    /// The text does not depend on how many rows or keys it carries (lists and columns are bound as arrays), so the
    /// store sends it again and again and the engine may keep it prepared: parsed and planned once per connection.
    public var reusable: Bool
}

/// A write transaction's connection: SQLKit, plus SQL text run with already-typed values straight through the
/// driver. The bulk paths (multi-row INSERT and UPDATE) bind tens of thousands of values per batch; SQLKit's
/// expression tree and `Encodable` encoder for them were a third of the batch writes' time in an import.
public struct WriteDatabase: SQLDatabase {
    let base: any SQLDatabase
    /// The engine's n-th (1-based) bind placeholder: `?` or `$n`.
    let placeholder: @Sendable (Int) -> String
    let runner: @Sendable (BoundSQL) async throws -> [any SQLRow]
    /// Whether the engine runs several INSERTs as one statement (PostgreSQL's `WITH … AS (INSERT …) INSERT …`).
    let combinesInserts: Bool
    /// Whether the engine binds arrays (PostgreSQL): lists become `= ANY($n)` and multi-row inserts
    /// `SELECT … FROM unnest($1, $2, …)`, one value per list or column. The text then no longer depends on the
    /// number of keys or rows, and parsing and planning it is no longer a third of the server's work for an order
    /// batch (measured: 1.1 ms of a batch's ~2 ms inside PostgreSQL went to parse and plan).
    let bindsArrays: Bool
    private let held = HeldInserts()

    public init(
        _ base: any SQLDatabase, placeholder: @escaping @Sendable (Int) -> String, combinesInserts: Bool = false,
        bindsArrays: Bool = false, runner: @escaping @Sendable (BoundSQL) async throws -> [any SQLRow]
    ) {
        self.base = base
        self.placeholder = placeholder
        self.combinesInserts = combinesInserts
        self.bindsArrays = bindsArrays
        self.runner = runner
    }

    /// Runs `sql` whose placeholders (made by `placeholder`) take `values` in order.
    public func run(_ sql: String, _ values: [RowValue]) async throws {
        _ = try await rows(BoundSQL(sql: sql, values: values, reusable: false))
    }

    /// Runs a statement and returns its rows (the held inserts go first).
    func rows(_ statement: BoundSQL) async throws -> [any SQLRow] {
        try await releaseHeldInserts()
        return try await runner(statement)
    }

    /// Inserts `rows` with multi-row `INSERT … VALUES (…), (…)`: up to 1,000 rows per statement (one awaited
    /// statement costs ~50 µs) and under 30,000 values (SQLite binds at most 32,766). Inside `combiningInserts`
    /// the rows wait for the next other statement or the end of the body.
    public func insert(into table: String, columns: [String], rows: [[RowValue]]) async throws {
        guard !rows.isEmpty, !held.hold(HeldInserts.Insert(table: table, columns: columns, rows: rows)) else { return }
        try await insertNow(into: table, columns: columns, rows: rows)
    }

    /// Runs `body`, holding back its inserts and sending them as one statement where the engine can (when the
    /// body runs another statement, the inserts held so far go first, so statements keep their order). An order
    /// batch writes customers, ledger entries, lots and orders: four round trips become one on PostgreSQL.
    public func combiningInserts<T>(_ body: () async throws -> T) async throws -> T {
        guard combinesInserts else { return try await body() }
        held.start()
        do {
            let result = try await body()
            try await releaseHeldInserts()
            held.stop()
            return result
        } catch {
            held.stop()
            throw error
        }
    }

    private func insertNow(into table: String, columns: [String], rows: [[RowValue]]) async throws {
        let perStatement = Self.rowsPerStatement(columns: columns.count)
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            var statement = BoundStatement(self, "")
            statement.reusable = true
            statement.appendInsert(
                into: table, columns: columns, rows: rows[start..<min(start + perStatement, rows.count)])
            try await statement.run()
        }
    }

    private static func rowsPerStatement(columns: Int) -> Int { max(1, min(1_000, 30_000 / max(columns, 1))) }

    /// Sends the held inserts: as `WITH i1 AS (INSERT …), i2 AS (INSERT …) INSERT …` when they fit one statement
    /// (PostgreSQL checks the foreign keys of all of them at its end), one by one otherwise.
    private func releaseHeldInserts() async throws {
        let inserts = held.take()
        guard !inserts.isEmpty else { return }
        let values = inserts.reduce(0) { $0 + $1.rows.count * $1.columns.count }
        guard inserts.count > 1, values <= 30_000 else {
            for insert in inserts {
                try await insertNow(into: insert.table, columns: insert.columns, rows: insert.rows)
            }
            return
        }
        var statement = BoundStatement(self, "")
        statement.reusable = true
        for (index, insert) in inserts.enumerated() {
            let last = index == inserts.count - 1
            if !last { statement.sql += index == 0 ? "WITH i\(index) AS (" : ", i\(index) AS (" }
            if last && index > 0 { statement.sql += " " }
            statement.appendInsert(into: insert.table, columns: insert.columns, rows: insert.rows[...])
            if !last { statement.sql += ")" }
        }
        _ = try await runner(statement.bound)
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
        try await releaseHeldInserts()
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
    /// Whether the caller's text stays the same whatever the statement carries (see `BoundSQL.reusable`): set by
    /// the caller, which knows its own text, and kept only if no list or row set in it was written out value by
    /// value (`countDependent`).
    var reusable = false
    private var countDependent = false

    init(_ database: WriteDatabase, _ sql: String) {
        self.database = database
        self.sql = sql
    }

    var bound: BoundSQL { BoundSQL(sql: sql, values: values, reusable: reusable && !countDependent) }

    mutating func bind(_ value: RowValue) {
        values.append(value)
        sql += database.placeholder(values.count)
    }

    /// Appends `"column" IN (?, …)`, or `"column" = ANY($n)` with one array where the engine binds arrays.
    mutating func appendMembership<Keys: Collection<String>>(_ column: String, in keys: Keys) {
        sql += "\"\(column)\""
        if database.bindsArrays {
            sql += " = ANY("
            bind(.texts(keys.map { $0 }))
            sql += ")"
            return
        }
        countDependent = true
        sql += " IN ("
        for (index, value) in keys.enumerated() {
            if index > 0 { sql += ", " }
            bind(.text(value))
        }
        sql += ")"
    }

    /// Appends ` WHERE program_id = ? AND key IN (?, …)`.
    mutating func restrict<Keys: Collection<String>>(programID: String, key: String, to keys: Keys) {
        sql += " WHERE program_id = "
        bind(.text(programID))
        sql += " AND "
        appendMembership(key, in: keys)
    }

    /// Appends `INSERT INTO "table" ("c", …) VALUES (?, …), (?, …)`, or, where the engine binds arrays,
    /// `INSERT INTO "table" ("c", …) SELECT "c", … FROM unnest($1::text[], $2::int8[], …) AS u("c", …)`
    /// with one array per column (a column that is NULL in every row is written as `NULL`, which takes the
    /// column's type).
    mutating func appendInsert(into table: String, columns: [String], rows: ArraySlice<[RowValue]>) {
        sql += "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") "
        if database.bindsArrays, let arrays = Self.columnArrays(columns.count, rows) {
            let bound = columns.indices.filter { arrays[$0] != nil }
            sql += "SELECT "
            sql += columns.indices.map { arrays[$0] == nil ? "NULL" : "\"\(columns[$0])\"" }.joined(separator: ", ")
            sql += " FROM unnest("
            for (position, column) in bound.enumerated() {
                if position > 0 { sql += ", " }
                bind(arrays[column]!)
                let type = if case .integers = arrays[column]! { "::int8[]" } else { "::text[]" }
                sql += type
            }
            sql += ") AS u(" + bound.map { "\"\(columns[$0])\"" }.joined(separator: ", ") + ")"
            return
        }
        countDependent = true
        sql += "VALUES "
        for (position, row) in rows.enumerated() {
            sql += position == 0 ? "(" : ", ("
            for (column, value) in row.enumerated() {
                if column > 0 { sql += ", " }
                bind(value)
            }
            sql += ")"
        }
    }

    /// Each column of `rows` as one array value (nil for a column NULL in every row), or nil when a column mixes
    /// text and integers.
    private static func columnArrays(_ count: Int, _ rows: ArraySlice<[RowValue]>) -> [RowValue?]? {
        var arrays: [RowValue?] = []
        arrays.reserveCapacity(count)
        for column in 0..<count {
            var texts: [String?] = []
            var integers: [Int64?] = []
            var nulls = 0
            for row in rows {
                switch row[column] {
                case .text(let text): texts.append(text)
                case .integer(let number): integers.append(number)
                case .null:
                    nulls += 1
                    if !texts.isEmpty { texts.append(nil) }
                    if !integers.isEmpty { integers.append(nil) }
                case .texts, .integers: return nil
                }
                guard texts.isEmpty || integers.isEmpty else { return nil }
            }
            if nulls == rows.count {
                arrays.append(nil)
            } else if !texts.isEmpty {
                arrays.append(.texts(Array(repeating: nil, count: rows.count - texts.count) + texts))
            } else {
                arrays.append(.integers(Array(repeating: nil, count: rows.count - integers.count) + integers))
            }
        }
        return arrays
    }

    func run() async throws { _ = try await database.rows(bound) }

    func rows() async throws -> [any SQLRow] { try await database.rows(bound) }
}

/// The inserts a `WriteDatabase` holds back inside `combiningInserts` (one transaction's statements run one after
/// another, so the lock is never contended; it makes the holder `Sendable`).
final class HeldInserts: Sendable {
    struct Insert: Sendable {
        let table: String
        let columns: [String]
        let rows: [[RowValue]]
    }

    private struct State {
        var holding = false
        var inserts: [Insert] = []
    }
    private let state = Mutex(State())

    func start() { state.withLock { $0.holding = true } }

    /// Forgets anything still held (the body failed: the transaction rolls back).
    func stop() { state.withLock { $0 = State() } }

    /// Keeps `insert` if holding; false if it must run now.
    func hold(_ insert: Insert) -> Bool {
        state.withLock { state in
            guard state.holding else { return false }
            state.inserts.append(insert)
            return true
        }
    }

    func take() -> [Insert] {
        state.withLock { state in
            defer { state.inserts = [] }
            return state.inserts
        }
    }
}
