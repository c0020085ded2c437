import Foundation
import Logging
import NIOPosix
import RetainCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// The embedded default: one SQLite file in WAL mode with foreign keys on and a busy timeout. One connection
/// writes (writers queue on an async lock and take the write lock up front with `BEGIN IMMEDIATE`); a few more
/// read at the same time, which WAL allows.
public final class SQLiteProvider: DatabaseProvider {
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync at every commit: a committed order survives a power cut.
        case full = "FULL"
        /// fsync at checkpoints: survives a crash of Retain, may lose the last commits on power loss.
        case normal = "NORMAL"
    }

    public let path: String
    private let writer: SQLiteConnection
    private let writeLock = AsyncMutex()
    private let readers: ReaderPool

    public var rowLockClause: String? { nil }
    public var displayName: String { "sqlite:\(path)" }
    public var concurrentWriters: Int { 1 }

    /// Opens (creating if needed) the database file.
    /// - Parameters:
    ///   - path: the file; its folder must exist.
    ///   - readers: connections for concurrent reads.
    ///   - synchronous: durability of each commit.
    public static func open(
        path: String, readers: Int = 3, synchronous: Synchronous = .full,
        logger: Logger = Logger(label: "retain.sqlite")
    ) async throws -> SQLiteProvider {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            throw StoreError.unavailable("the folder \(directory) for the database \(path) does not exist")
        }
        let writer = try await Self.open(path, logger: logger)
        var readerConnections: [SQLiteConnection] = []
        do {
            try await configure(writer, synchronous: synchronous, walMode: true)
            for _ in 0..<max(1, readers) {
                let reader = try await Self.open(path, logger: logger)
                readerConnections.append(reader)
                try await configure(reader, synchronous: synchronous, walMode: false)
            }
        } catch {
            try? await writer.close()
            for reader in readerConnections { try? await reader.close() }
            throw StoreError.unavailable("cannot open \(path) as an SQLite database: \(error)")
        }
        return SQLiteProvider(path: path, writer: writer, readers: ReaderPool(readerConnections))
    }

    private static func open(_ path: String, logger: Logger) async throws -> SQLiteConnection {
        try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threads, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
    }

    /// The threads SQLite's calls block: enough for the writer, a checkpoint and three readers at once. NIO's
    /// shared pool has one per core, so a reader's `BEGIN` waited behind a long INSERT and a checkpoint (measured in
    /// an import of the Online Retail file: 15–24 ms at a transaction's start). Process-wide and never stopped,
    /// like NIO's own.
    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 5)
        pool.start()
        return pool
    }()

    private init(path: String, writer: SQLiteConnection, readers: ReaderPool) {
        self.path = path
        self.writer = writer
        self.readers = readers
    }

    private static func configure(_ connection: SQLiteConnection, synchronous: Synchronous, walMode: Bool) async throws
    {
        let database = connection.sql()
        try await database.raw("PRAGMA busy_timeout = 5000").run()
        if walMode { try await database.raw("PRAGMA journal_mode = WAL").run() }
        try await database.raw("PRAGMA foreign_keys = ON").run()
        // Statement journals (a multi-row INSERT inside a transaction keeps one) stay in memory, not in temporary files.
        try await database.raw("PRAGMA temp_store = MEMORY").run()
        try await database.raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)")).run()
    }

    /// One writer at a time (`BEGIN IMMEDIATE` behind a lock), so every isolation gets serial transactions.
    public func withWriteTransaction<T: Sendable>(
        isolation: WriteIsolation, _ body: @Sendable (WriteDatabase) async throws -> T
    ) async throws -> T {
        await writeLock.lock()
        let database = writeDatabase()
        do {
            try await database.raw("BEGIN IMMEDIATE").run()
        } catch {
            await writeLock.unlock()
            throw error
        }
        do {
            let result = try await body(database)
            try await database.raw("COMMIT").run()
            await writeLock.unlock()
            return result
        } catch {
            await database.settlePendingWrites()
            try? await database.raw("ROLLBACK").run()
            await writeLock.unlock()
            throw error
        }
    }

    /// The writer's connection, sending bulk writes behind (`PendingWrites`).
    private func writeDatabase() -> WriteDatabase {
        let writer = writer
        return WriteDatabase(writer.sql(), placeholder: { _ in "?" }, writesBehind: true) { sql, values in
            let binds = values.map { value -> SQLiteData in
                switch value {
                case .text(let text): return .text(text)
                case .integer(let number): return .integer(Int(number))
                case .null: return .null
                }
            }
            _ = try await writer.query(sql, binds)
        }
    }

    /// Holds the writer (no other write transaction of this process starts) for `body`'s transactions. The WAL is
    /// checkpointed by a reader connection after each commit (`BackgroundCheckpoints`) instead of by the writer.
    public func withHeldWriter<T: Sendable>(_ body: @Sendable (HeldWriter?) async throws -> T) async throws -> T {
        await writeLock.lock()
        let writer = writer
        let checkpoints = BackgroundCheckpoints(readers: readers)
        do {
            _ = try await writer.query("PRAGMA wal_autocheckpoint = 0", [])
        } catch {
            await writeLock.unlock()
            throw error
        }
        let held = HeldWriter(
            database: writeDatabase(), execute: { sql in _ = try await writer.query(sql, []) },
            dataVersion: {
                guard
                    let version = try await writer.query("PRAGMA data_version", []).first?.column("data_version")?
                        .integer
                else { throw StoreError.corrupt("PRAGMA data_version gave no number") }
                return Int64(version)
            }, afterCommit: { checkpoints.start() })
        func restore() async {
            await checkpoints.finish()
            _ = try? await writer.query("PRAGMA wal_autocheckpoint = 1000", [])
        }
        do {
            let result = try await body(held)
            try await held.finish()
            await restore()
            await writeLock.unlock()
            return result
        } catch {
            await held.rollback()
            await restore()
            await writeLock.unlock()
            throw error
        }
    }

    public func withReadTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws
        -> T
    {
        let connection = await readers.acquire()
        let database = connection.sql()
        do {
            try await database.raw("BEGIN").run()
            let result = try await body(database)
            try await database.raw("COMMIT").run()
            await readers.release(connection)
            return result
        } catch {
            try? await database.raw("ROLLBACK").run()
            await readers.release(connection)
            throw error
        }
    }

    public func close() async throws {
        await writeLock.lock()
        try? await writer.sql().raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        try await writer.close()
        for reader in await readers.drain() { try await reader.close() }
    }
}

/// WAL checkpoints run by a reader connection while the held writer goes on (`withHeldWriter`): a checkpoint
/// copies the committed pages into the database file, which SQLite's automatic checkpoint does on the writer's
/// own thread inside each `COMMIT` (in an import, a copy of every batch). `PASSIVE` never waits for the writer;
/// one runs at a time, the next after it.
final class BackgroundCheckpoints: Sendable {
    private let readers: ReaderPool
    private let last = Mutex<Task<Void, Never>?>(nil)

    init(readers: ReaderPool) {
        self.readers = readers
    }

    /// Queues a checkpoint after the one running, if any.
    func start() {
        let readers = readers
        last.withLock { last in
            let previous = last
            last = Task {
                await previous?.value
                let reader = await readers.acquire()
                _ = try? await reader.query("PRAGMA wal_checkpoint(PASSIVE)", [])
                await readers.release(reader)
            }
        }
    }

    /// Waits for the checkpoints queued.
    func finish() async {
        await last.withLock { $0 }?.value
    }
}

/// Read connections handed out one task at a time.
actor ReaderPool {
    private var free: [SQLiteConnection]
    private var all: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []

    init(_ connections: [SQLiteConnection]) {
        free = connections
        all = connections
    }

    func acquire() async -> SQLiteConnection {
        if let connection = free.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ connection: SQLiteConnection) {
        if waiters.isEmpty {
            free.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    /// Waits for every connection to come back, then hands them all over for closing.
    func drain() async -> [SQLiteConnection] {
        var collected = free
        free = []
        while collected.count < all.count { collected.append(await acquire()) }
        return all
    }
}
