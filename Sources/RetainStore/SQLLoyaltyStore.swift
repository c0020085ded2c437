import Foundation
import RetainCore
import SQLKit
import Synchronization

/// The `LoyaltyStore` written once with SQLKit; the provider decides the engine.
public struct SQLLoyaltyStore: LoyaltyStore {
    public let provider: any DatabaseProvider
    let configurations = ConfigurationCache()

    public init(provider: any DatabaseProvider) {
        self.provider = provider
    }

    public func write<T: Sendable>(
        program: String, isolation: WriteIsolation, _ body: @Sendable (any StoreSession) async throws -> T
    ) async throws -> T {
        let lockClause = provider.rowLockClause
        return try await provider.withWriteTransaction(isolation: isolation) { database in
            try await body(
                SQLStoreSession(
                    database: database, programID: program, rowLockClause: lockClause,
                    configurations: configurations))
        }
    }

    public func read<T: Sendable>(program: String, _ body: @Sendable (any StoreSession) async throws -> T)
        async throws -> T
    {
        try await provider.withReadTransaction { database in
            try await body(
                SQLStoreSession(
                    database: database, programID: program, rowLockClause: nil, configurations: configurations))
        }
    }

    public var instance: any InstanceRepository { SQLInstanceRepository(provider: provider) }
    public var concurrentWriters: Int { provider.concurrentWriters }
}

/// What a session learned once and may reuse until the transaction ends.
final class SessionMemo: Sendable {
    private struct State {
        var programVersion: Int64?
        var wroteConfiguration = false
    }
    private let state = Mutex(State())

    /// The program's latest configuration version; nil until read, and again after this session writes one.
    var programVersion: Int64? {
        get { state.withLock { $0.programVersion } }
        set { state.withLock { $0.programVersion = newValue } }
    }

    /// True once this session has written a configuration version (uncommitted until the transaction ends).
    var wroteConfiguration: Bool {
        get { state.withLock { $0.wroteConfiguration } }
        set { state.withLock { $0.wroteConfiguration = newValue } }
    }
}

/// One transaction's view of one program. Every statement is scoped by `program_id`.
struct SQLStoreSession: StoreSession {
    let database: any SQLDatabase
    let programID: String
    let rowLockClause: String?
    /// The program version in force, once this transaction has read it: each order batch reads the configuration
    /// and then stamps its ledger entries with the version, and the second read was a round trip of its own.
    var memo = SessionMemo()
    /// The store's decoded program versions (a session of its own when made without a store, as in tests).
    var configurations = ConfigurationCache()

    /// Keys per `IN (…)` list and rows per multi-row statement: one awaited statement costs ~50 µs, so bulk paths
    /// send many at once while staying under SQLite's 32,766 bound parameters.
    static let batchSize = 1_000

    /// `CAST(SUM(column) AS BIGINT)`: PostgreSQL's SUM of BIGINT answers NUMERIC, which does not decode as Int64.
    static func sum(_ column: String) -> any SQLExpression {
        SQLFunction("CAST", args: SQLAlias(SQLFunction("SUM", args: SQLIdentifier(column)), as: SQLRaw("BIGINT")))
    }

    /// Sets `columns` of many rows at once. Rows that get the same values share one
    /// `UPDATE t SET c = ?, … WHERE program_id = ? AND key IN (…)` per 1,000 keys (an expiry run zeroes thousands of
    /// lots); the others go 200 at a time through
    /// `UPDATE t SET c = CASE key WHEN ? THEN ? … END, … WHERE program_id = ? AND key IN (…)`, whose CASE is searched
    /// row by row. Plain SQL that SQLite and PostgreSQL both run, instead of one round trip per row.
    func updateRows(
        _ table: String, key: String, columns: [String], rows: [(key: String, values: [any Encodable & Sendable])]
    )
        async throws
    {
        let writer = writeDatabase()
        var keysByValues: [[RowValue]: [String]] = [:]
        var valueOrder: [[RowValue]] = []
        for row in rows {
            let values = row.values.map(RowValue.init)
            if keysByValues[values] == nil { valueOrder.append(values) }
            keysByValues[values, default: []].append(row.key)
        }
        var varied: [(key: String, values: [RowValue])] = []
        for values in valueOrder {
            let keys = keysByValues[values]!
            guard keys.count > 1 else {
                varied.append((keys[0], values))
                continue
            }
            for start in stride(from: 0, to: keys.count, by: 1_000) {
                var statement = BoundStatement(writer, "UPDATE \"\(table)\" SET ")
                for (index, column) in columns.enumerated() {
                    statement.sql += index == 0 ? "\"\(column)\" = " : ", \"\(column)\" = "
                    statement.bind(values[index])
                }
                statement.restrict(programID: programID, key: key, to: keys[start..<min(start + 1_000, keys.count)])
                try await statement.run()
            }
        }
        for start in stride(from: 0, to: varied.count, by: 200) {
            let chunk = varied[start..<min(start + 200, varied.count)]
            var statement = BoundStatement(writer, "UPDATE \"\(table)\" SET ")
            for (index, column) in columns.enumerated() {
                statement.sql += index == 0 ? "\"\(column)\" = CASE \"\(key)\"" : ", \"\(column)\" = CASE \"\(key)\""
                for row in chunk {
                    statement.sql += " WHEN "
                    statement.bind(.text(row.key))
                    statement.sql += " THEN "
                    statement.bind(row.values[index])
                }
                statement.sql += " END"
            }
            statement.restrict(programID: programID, key: key, to: chunk.map(\.key))
            try await statement.run()
        }
    }

    func combiningInserts<T>(_ body: () async throws -> T) async throws -> T {
        try await writeDatabase().combiningInserts(body)
    }

    /// Inserts rows with multi-row `INSERT … VALUES (…), (…)` (`WriteDatabase.insert`).
    func insertRows(_ table: String, columns: [String], rows: [[any Encodable & Sendable]]) async throws {
        try await insertRows(table, columns: columns, typed: rows.map { $0.map(RowValue.init) })
    }

    /// `insertRows` with cells already typed (the rows an import writes by the million).
    func insertRows(_ table: String, columns: [String], typed rows: [[RowValue]]) async throws {
        try await writeDatabase().insert(into: table, columns: columns, rows: rows)
    }

    /// `insertRows` with the rows made by `making`, when the insert runs
    /// (see `WriteDatabase.insert(into:columns:making:)`).
    func insertRows(
        _ table: String, columns: [String], making: @escaping @Sendable () throws -> [[RowValue]]
    ) async throws {
        try await writeDatabase().insert(into: table, columns: columns, making: making)
    }

    private func writeDatabase() -> WriteDatabase {
        guard let writer = database as? WriteDatabase else {
            preconditionFailure("a bulk write outside a write transaction: sessions of `read` never write")
        }
        return writer
    }
}
