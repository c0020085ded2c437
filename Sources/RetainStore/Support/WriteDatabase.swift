import Foundation
import Logging
import NIOCore
import SQLKit
import Synchronization
import RetainCore

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

    /// Typed cells for the bulk paths written by the million, without the casts of `init(_:)`.
    public static func text(_ value: String?) -> RowValue { value.map(RowValue.text) ?? .null }
    public static func integer(_ value: Int64?) -> RowValue { value.map(RowValue.integer) ?? .null }
    public static func millis(_ value: Date?) -> RowValue {
        value.map { .integer(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? .null
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
    /// Whether the engine runs several INSERTs as one statement (PostgreSQL's `WITH … AS (INSERT …) INSERT …`).
    let combinesInserts: Bool
    /// Whether bulk writes are sent without waiting for them (see `PendingWrites`).
    let writesBehind: Bool
    private let held = HeldInserts()
    private let pending = PendingWrites()

    public init(
        _ base: any SQLDatabase, placeholder: @escaping @Sendable (Int) -> String, combinesInserts: Bool = false,
        writesBehind: Bool = false, runner: @escaping @Sendable (String, [RowValue]) async throws -> Void
    ) {
        self.base = base
        self.placeholder = placeholder
        self.combinesInserts = combinesInserts
        self.writesBehind = writesBehind
        self.runner = runner
    }

    /// Runs `sql` whose placeholders (made by `placeholder`) take `values` in order; when writing behind, the
    /// statement is queued and its failure comes out of the next other statement (at the latest the COMMIT).
    public func run(_ sql: String, _ values: [RowValue]) async throws {
        try await releaseHeldInserts()
        guard writesBehind else { return try await runner(sql, values) }
        let runner = runner
        pending.enqueue { try await runner(sql, values) }
    }

    /// Waits for the queued writes, ignoring their failures: before a ROLLBACK, which undoes them anyway.
    public func settlePendingWrites() async { try? await pending.drain() }

    /// Queues `work` (any statements, run in order with the writes) after everything sent so far; the task
    /// finishes when it has run, and fails if it or anything sent before it failed.
    func send(_ work: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
        pending.enqueue(work)
    }

    /// Waits until everything sent has run; throws the first failure (once).
    func drainSent() async throws { try await pending.drain() }

    /// Whether something sent since the last `drainSent` failed (so everything sent after it did not run).
    var sendFailed: Bool { pending.failed }

    /// Inserts `rows` with multi-row `INSERT … VALUES (…), (…)`: up to 1,000 rows per statement (one awaited
    /// statement costs ~50 µs) and under 30,000 values (SQLite binds at most 32,766). Inside `combiningInserts`
    /// the rows wait for the next other statement or the end of the body.
    public func insert(into table: String, columns: [String], rows: [[RowValue]]) async throws {
        guard !rows.isEmpty else { return }
        try await insert(into: table, columns: columns) { rows }
    }

    /// `insert` of the rows `making` makes. When writing behind, they are made (and the statements built) at once on
    /// a thread of their own, while the queue of sent writes still runs what was sent before: an import builds its
    /// next batch while the order documents of this one are made and written out. A failure to make them fails the
    /// transaction like a failed write (at the next other statement, at the latest the COMMIT).
    public func insert(
        into table: String, columns: [String], making: @escaping @Sendable () throws -> [[RowValue]]
    ) async throws {
        if writesBehind && !held.isHolding {
            let database = self
            let statements = Task {
                await Offloaded.run {
                    Result { database.statements(into: table, columns: columns, rows: try making()) }
                }
            }
            let runner = runner
            pending.enqueue {
                for statement in try await statements.value.get() { try await runner(statement.sql, statement.values) }
            }
            return
        }
        let rows = try making()
        guard !rows.isEmpty, !held.hold(HeldInserts.Insert(table: table, columns: columns, rows: rows)) else { return }
        try await insertNow(into: table, columns: columns, rows: rows, run: run)
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

    /// - Parameter run: runs one statement (`run`, or the runner itself when already on the queue of sent writes).
    private func insertNow(
        into table: String, columns: [String], rows: [[RowValue]],
        run: (String, [RowValue]) async throws -> Void
    ) async throws {
        for statement in statements(into: table, columns: columns, rows: rows) {
            try await run(statement.sql, statement.values)
        }
    }

    /// The multi-row INSERT statements that write `rows`.
    private func statements(into table: String, columns: [String], rows: [[RowValue]]) -> [BoundStatement] {
        let perStatement = Self.rowsPerStatement(columns: columns.count)
        return stride(from: 0, to: rows.count, by: perStatement).map { start in
            var statement = BoundStatement(self, "")
            statement.appendInsert(
                into: table, columns: columns, rows: rows[start..<min(start + perStatement, rows.count)])
            return statement
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
                try await insertNow(into: insert.table, columns: insert.columns, rows: insert.rows, run: runner)
            }
            return
        }
        var statement = BoundStatement(self, "")
        for (index, insert) in inserts.enumerated() {
            let last = index == inserts.count - 1
            if !last { statement.sql += index == 0 ? "WITH i\(index) AS (" : ", i\(index) AS (" }
            if last && index > 0 { statement.sql += " " }
            statement.appendInsert(into: insert.table, columns: insert.columns, rows: insert.rows[...])
            if !last { statement.sql += ")" }
        }
        try await runner(statement.sql, statement.values)
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
        try await pending.drain()
        try await base.execute(sql: query, onRow)
    }

    public func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}

/// SQL text and its values, built side by side with the engine's placeholders.
struct BoundStatement: Sendable {
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

    /// Appends `INSERT INTO "table" ("c", …) VALUES (?, …), (?, …)`.
    mutating func appendInsert(into table: String, columns: [String], rows: ArraySlice<[RowValue]>) {
        sql += "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        for (position, row) in rows.enumerated() {
            sql += position == 0 ? "(" : ", ("
            for (column, value) in row.enumerated() {
                if column > 0 { sql += ", " }
                bind(value)
            }
            sql += ")"
        }
    }

    func run() async throws { try await database.run(sql, values) }
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

    var isHolding: Bool { state.withLock { $0.holding } }

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

/// Bulk writes of a transaction sent to the connection one after another while the transaction's task goes on:
/// building the next statement's rows (order documents, bound values) on one core while SQLite runs the last one on
/// another. Any other statement first waits for them all, so reads see every write before them and the statements
/// keep their order; the first failure is thrown to that statement, and the transaction rolls back.
final class PendingWrites: Sendable {
    private let last = Mutex<Task<Void, any Error>?>(nil)
    private let failure = Mutex(false)

    /// Whether a queued write failed since the last `drain`.
    var failed: Bool { failure.withLock { $0 } }

    @discardableResult
    func enqueue(_ write: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
        last.withLock { last in
            let previous = last
            let next = Task {
                do {
                    try await previous?.value
                    try await write()
                } catch {
                    self.failure.withLock { $0 = true }
                    throw error
                }
            }
            last = next
            return next
        }
    }

    /// Waits until every queued write has run; throws the first failure (once).
    func drain() async throws {
        let task = last.withLock { last in
            defer { last = nil }
            return last
        }
        defer { failure.withLock { $0 = false } }
        try await task?.value
    }
}
