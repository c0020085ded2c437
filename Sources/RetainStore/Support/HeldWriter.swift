import RetainCore
import Synchronization

/// An engine's single writer, held by one `WriteSequence` from its start to its end (SQLite). Each transaction's
/// `BEGIN`, writes and `COMMIT` are sent to the connection without waiting, so the job computes its next
/// transaction while this one is written.
///
/// What makes that sound is the check each sent transaction makes right after `BEGIN IMMEDIATE` (which takes the
/// engine's write lock): the connection's data version — a number that changes when any *other* connection
/// commits — must still be the one read when the job's state was fresh. If it is not, the transaction fails with
/// `WriteSequenceInterrupted`, everything sent after it fails with it, and the next transaction starts afresh.
public final class HeldWriter: Sendable {
    let database: WriteDatabase
    private let execute: @Sendable (String) async throws -> Void
    private let dataVersion: @Sendable () async throws -> Int64
    /// Called on the writer's queue after each `COMMIT` (SQLite: start a checkpoint elsewhere).
    private let afterCommit: @Sendable () -> Void
    /// The data version when the job's state was read; nil: the next transaction starts afresh.
    private let baseline = Mutex<Int64?>(nil)
    /// Whether the job has seen a transaction fail since the last rollback (`TransactionCommit.wait` threw).
    private let failureSeen = Mutex(false)

    /// - Parameters:
    ///   - database: the writer, writing behind.
    ///   - execute: runs one statement on the writer now.
    ///   - dataVersion: reads the writer's data version now.
    ///   - afterCommit: called once each transaction is committed.
    init(
        database: WriteDatabase, execute: @escaping @Sendable (String) async throws -> Void,
        dataVersion: @escaping @Sendable () async throws -> Int64, afterCommit: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.execute = execute
        self.dataVersion = dataVersion
        self.afterCommit = afterCommit
    }

    /// Starts the next transaction. Returns true when it starts afresh — the first one, or the first after an
    /// interruption or rollback — having waited for everything sent and taken the write lock; the job then reads
    /// through the write session. Otherwise the `BEGIN` and its check are sent behind the transactions in flight.
    /// Throws at once if a transaction sent before failed and the job has not heard of it yet: it would build on it.
    func begin() async throws -> Bool {
        if database.sendFailed {
            if failureSeen.withLock({ $0 }) {
                await rollback()
            } else {
                do {
                    try await database.drainSent()
                } catch {
                    await rollback()
                    throw error
                }
            }
        }
        if let expected = baseline.withLock({ $0 }) {
            let execute = execute
            let dataVersion = dataVersion
            database.send {
                try await execute("BEGIN IMMEDIATE")
                guard try await dataVersion() == expected else { throw WriteSequenceInterrupted() }
            }
            return false
        }
        try await database.drainSent()
        try await execute("BEGIN IMMEDIATE")
        do {
            let version = try await dataVersion()
            baseline.withLock { $0 = version }
        } catch {
            _ = try? await execute("ROLLBACK")
            throw error
        }
        return true
    }

    /// Sends the `COMMIT`; the task finishes when the transaction is committed.
    func commit() -> Task<Void, any Error> {
        let execute = execute
        let afterCommit = afterCommit
        return database.send {
            try await execute("COMMIT")
            afterCommit()
        }
    }

    /// Waits for everything sent, rolls back the open transaction if any, and makes the next one start afresh.
    func rollback() async {
        await database.settlePendingWrites()
        _ = try? await execute("ROLLBACK")
        baseline.withLock { $0 = nil }
        failureSeen.withLock { $0 = false }
    }

    /// The job saw a transaction fail (and knows that every one sent after it failed too).
    func sawFailure() { failureSeen.withLock { $0 = true } }

    /// Waits for everything sent; rolls back and throws if any of it failed.
    func finish() async throws {
        do {
            try await database.drainSent()
        } catch {
            _ = try? await execute("ROLLBACK")
            throw error
        }
    }
}
