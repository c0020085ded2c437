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
    static let batchSize = 400

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
