import RetainCore
import SQLKit

/// One database engine under the SQL store: how to get a connection for a write transaction or a read, and the
/// few statements that differ between engines. Everything else — the repositories, the migrator — is written once
/// against `SQLDatabase`.
public protocol DatabaseProvider: Sendable {
    /// Runs `body` inside one write transaction: committed if it returns, rolled back if it throws.
    func withWriteTransaction<T: Sendable>(
        isolation: WriteIsolation, _ body: @Sendable (WriteDatabase) async throws -> T
    ) async throws -> T
    /// Runs `body` inside a read transaction (one consistent snapshot).
    func withReadTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// The clause that locks the selected rows until the transaction ends (`FOR UPDATE`), or nil where writers are
    /// already serialised.
    var rowLockClause: String? { get }
    /// A short name for messages (`sqlite:retain.sqlite`).
    var displayName: String { get }
    /// Write transactions of one process worth running at once (see `LoyaltyStore.concurrentWriters`).
    var concurrentWriters: Int { get }
    /// Runs `body` holding the engine's single writer for a sequence of transactions sent without waiting
    /// (`HeldWriter`); `body` gets nil where the engine has concurrent writers instead (PostgreSQL).
    func withHeldWriter<T: Sendable>(_ body: @Sendable (HeldWriter?) async throws -> T) async throws -> T
    /// Runs `body` (which opens its own transactions) while no other process migrates the same database.
    func withSchemaLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
    /// Closes every connection. Call exactly once, at shutdown.
    func close() async throws
}

extension DatabaseProvider {
    /// A serializable write transaction.
    public func withWriteTransaction<T: Sendable>(_ body: @Sendable (WriteDatabase) async throws -> T) async throws
        -> T
    {
        try await withWriteTransaction(isolation: .serializable, body)
    }

    public func withHeldWriter<T: Sendable>(_ body: @Sendable (HeldWriter?) async throws -> T) async throws -> T {
        try await body(nil)
    }

    /// For an engine whose write transactions already exclude each other across processes (SQLite's
    /// `BEGIN IMMEDIATE`), the migrator's check inside each transaction is enough.
    public func withSchemaLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}
