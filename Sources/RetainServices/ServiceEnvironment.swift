import Foundation
import Logging
import RetainCore

/// What every use case needs: the store, the clock, the id generator, a logger.
public struct ServiceEnvironment: Sendable {
    public let store: any LoyaltyStore
    public let clock: any Clock
    public let ids: any IDGenerator
    public let logger: Logger
    public let programs: ProgramDirectory
    /// Shared by every request, so concurrent orders share transactions.
    public let orderPipeline: OrderPipeline

    public init(
        store: any LoyaltyStore, clock: any Clock = SystemClock(), ids: any IDGenerator = RandomIDGenerator(),
        logger: Logger = Logger(label: "retain")
    ) {
        self.store = store
        self.clock = clock
        self.ids = ids
        self.logger = logger
        self.programs = ProgramDirectory(repository: store.instance)
        self.orderPipeline = OrderPipeline(concurrentWriters: store.concurrentWriters)
    }
}

/// Programs by id with a short cache: every request needs its program's settings, and they change rarely.
/// Changes made through this directory are seen at once; changes by another process within `ttl` seconds.
public final class ProgramDirectory: Sendable {
    private let repository: any InstanceRepository
    private let cache = LockedCache<String, (Program, Date)>()
    private let ttl: TimeInterval = 2

    init(repository: any InstanceRepository) {
        self.repository = repository
    }

    public func program(_ id: String) async throws -> Program {
        if let (program, loaded) = cache[id], Date().timeIntervalSince(loaded) < ttl { return program }
        guard let program = try await repository.program(id: id) else {
            throw DomainError.notFound(what: "program", id: id)
        }
        cache[id] = (program, Date())
        return program
    }

    public func forget(_ id: String) { cache[id] = nil }
}

/// A dictionary behind a lock, for small caches shared between requests.
final class LockedCache<Key: Hashable & Sendable, Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Key: Value] = [:]

    subscript(key: Key) -> Value? {
        get { lock.withLock { storage[key] } }
        set { lock.withLock { storage[key] = newValue } }
    }
}
