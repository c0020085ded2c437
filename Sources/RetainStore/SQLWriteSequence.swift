import RetainCore
import Synchronization

extension SQLLoyaltyStore {
    public func writeSequence<T: Sendable>(
        program: String, _ body: @Sendable (any WriteSequence) async throws -> T
    ) async throws -> T {
        try await provider.withHeldWriter { writer in
            if let writer {
                return try await body(HeldWriteSequence(store: self, writer: writer, programID: program))
            }
            return try await body(SerialWriteSequence(store: self, programID: program))
        }
    }
}

/// Transactions that each commit before the next starts, and state that does not outlive them (PostgreSQL).
struct SerialWriteSequence: WriteSequence {
    let store: SQLLoyaltyStore
    let programID: String

    var keepsState: Bool { false }

    func transaction<T: Sendable>(
        _ body: @Sendable (_ writes: any StoreSession, _ reads: any StoreSession) async throws -> T
    ) async throws -> (T, TransactionCommit) {
        (
            try await store.write(program: programID) { session in try await body(session, session) },
            TransactionCommit(nil)
        )
    }
}

/// Transactions sent on a held writer (`HeldWriter`) while the job goes on; reads of what the job does not know go
/// to a reader's snapshot.
struct HeldWriteSequence: WriteSequence {
    let store: SQLLoyaltyStore
    let writer: HeldWriter
    let programID: String
    /// Shared by the transactions between two fresh starts: the program version they stamp on ledger entries
    /// stays the one read at the fresh start (a new version written elsewhere interrupts the sequence).
    private let memo = MemoBox()

    var keepsState: Bool { true }

    func transaction<T: Sendable>(
        _ body: @Sendable (_ writes: any StoreSession, _ reads: any StoreSession) async throws -> T
    ) async throws -> (T, TransactionCommit) {
        let fresh = try await writer.begin()
        if fresh { memo.renew() }
        let session = SQLStoreSession(
            database: writer.database, programID: programID, rowLockClause: nil, memo: memo.current,
            configurations: store.configurations)
        do {
            let result =
                fresh
                ? try await body(session, session)
                : try await store.read(program: programID) { reads in try await body(session, reads) }
            let writer = writer
            return (result, TransactionCommit(writer.commit(), onFailure: { writer.sawFailure() }))
        } catch {
            await writer.rollback()
            throw error
        }
    }
}

/// The session memo a `HeldWriteSequence` shares between transactions.
final class MemoBox: Sendable {
    private let memo = Mutex(SessionMemo())

    var current: SessionMemo { memo.withLock { $0 } }
    func renew() { memo.withLock { $0 = SessionMemo() } }
}
