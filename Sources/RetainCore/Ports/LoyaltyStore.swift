import Foundation

/// The storage port. A use case opens one session (one transaction) scoped to one program and does all its reads
/// and writes through it; either everything in the closure is committed or nothing is.
///
/// Implementations serialise or lock so that two sessions writing for the same customer cannot interleave
/// (SQLite: one writer at a time; PostgreSQL: serializable transactions, and row locks from `lockCustomers`).
public protocol LoyaltyStore: Sendable {
    /// Runs `body` in a write transaction for `program`; rolls back if it throws.
    func write<T: Sendable>(
        program: String, isolation: WriteIsolation, _ body: @Sendable (any StoreSession) async throws -> T
    ) async throws -> T
    /// Runs `body` against a consistent read-only view of `program`.
    func read<T: Sendable>(program: String, _ body: @Sendable (any StoreSession) async throws -> T) async throws -> T
    /// Programs and API keys, which live above any one program.
    var instance: any InstanceRepository { get }
    /// How many write transactions of one process are worth running at once: 1 where the engine writes one at a
    /// time anyway (SQLite), more where concurrent transactions overlap their round trips (PostgreSQL).
    var concurrentWriters: Int { get }
    /// Runs `body` with a sequence of write transactions for one long job, such as an import (see
    /// `WriteSequence`).
    func writeSequence<T: Sendable>(program: String, _ body: @Sendable (any WriteSequence) async throws -> T)
        async throws -> T
}

/// Write transactions that one long job (an import) runs one after another.
///
/// Where the engine allows it — SQLite, whose single writer the sequence holds from start to end — `transaction`
/// returns as soon as the body has sent its writes, and the job computes its next transaction while the engine
/// writes this one. The job then keeps what it read and wrote across transactions (`keepsState`) and reads only
/// what it does not know yet, from a snapshot of committed data that does not wait for the writes in flight. That
/// is sound only while nothing else writes: each transaction checks, before its first write, that no other
/// connection committed since the job's state was read, and otherwise fails with `WriteSequenceInterrupted` (as
/// does every transaction sent after it); the job then forgets what it kept and runs those transactions again.
///
/// Elsewhere (PostgreSQL, with concurrent writers) each transaction commits before `transaction` returns, and the
/// job must not keep state across transactions.
public protocol WriteSequence: Sendable {
    /// Whether the job may keep what it read and wrote in one transaction for the next ones.
    var keepsState: Bool { get }
    /// Runs `body` as the next transaction: it writes (and locks) through `writes`, and reads what the job does not
    /// know through `reads` — the same session on the first transaction, after an interruption, and where state is
    /// not kept; otherwise a snapshot of committed data. The transaction is committed when the returned
    /// `TransactionCommit` says so; if `body` throws, it is rolled back, and so is any transaction sent after it.
    /// Throws `WriteSequenceInterrupted` without running `body` when a transaction sent before this one was
    /// interrupted and the job has not waited for it yet.
    func transaction<T: Sendable>(
        _ body: @Sendable (_ writes: any StoreSession, _ reads: any StoreSession) async throws -> T
    ) async throws -> (T, TransactionCommit)
}

/// The end of one transaction of a `WriteSequence`.
public struct TransactionCommit: Sendable {
    private let commit: Task<Void, any Error>?
    private let onFailure: @Sendable () -> Void

    /// - Parameters:
    ///   - commit: finishes when the transaction is committed; nil when it already is.
    ///   - onFailure: tells the store that the job has seen the transaction fail.
    public init(_ commit: Task<Void, any Error>?, onFailure: @escaping @Sendable () -> Void = {}) {
        self.commit = commit
        self.onFailure = onFailure
    }

    /// Waits until the transaction is committed; throws why it was rolled back instead.
    public func wait() async throws {
        do {
            try await commit?.value
        } catch {
            onFailure()
            throw error
        }
    }
}

/// Another connection wrote while a `WriteSequence` kept state: the transaction that found out, and every one sent
/// after it, were rolled back; the job must forget what it kept and run them again.
public struct WriteSequenceInterrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "another connection wrote to the database during this job's transactions" }
}

extension LoyaltyStore {
    /// A write transaction kept apart from every other as if they ran one after another.
    public func write<T: Sendable>(program: String, _ body: @Sendable (any StoreSession) async throws -> T)
        async throws -> T
    {
        try await write(program: program, isolation: .serializable, body)
    }
}

/// How a write transaction is kept apart from concurrent ones (engines that write one transaction at a time, like
/// SQLite, give every kind the same guarantee).
public enum WriteIsolation: Sendable {
    /// As if the transactions ran one after another: every check made before a write still holds when it commits.
    case serializable
    /// The body promises that it reads the state of a customer only after `lockCustomers` has locked that customer,
    /// writes only locked customers' state and new rows under unique keys (a new order id, a new customer's
    /// identifiers), and needs nothing else to stay unchanged until it commits. Row locks then suffice: PostgreSQL
    /// runs it at READ COMMITTED, whose statements each see the latest committed data, without the predicate
    /// locks of `serializable`, which abort concurrent order batches that merely share index pages. A new row whose
    /// key another transaction inserted first fails the transaction, and the store runs it again. Every other
    /// writer of a customer's state locks the customer first too, so a batch never overwrites what it did not see.
    case customerLocks
}

/// Everything a use case can ask of one program's data inside one transaction.
public protocol StoreSession: CustomerRepository, OrderRepository, LedgerRepository, RuleRepository, EventRepository,
    IdempotencyRepository, RedemptionRepository, MembershipRepository, RewardRepository, PurchaseRepository,
    JobLeaseRepository
{
    var programID: String { get }
    /// Runs `body`, whose new rows the store may send together as one statement at its end (or before the next
    /// read or update of `body`, so that statements keep their order). Only a round-trip saving: the rows are
    /// written in the same transaction either way.
    func combiningInserts<T>(_ body: () async throws -> T) async throws -> T
    /// What an order batch reads before anything else — `configurationInForce()`, `orders(ids:)` and
    /// `findAndLockCustomers(_:)` — in one statement where the store can: on PostgreSQL each statement is a round
    /// trip, and a batch spends more time on its round trips than on its work.
    func orderBatchStart(orderIDs: [String], lookups: [CustomerLookup]) async throws -> OrderBatchStart
}

/// The first reads of an order batch (`StoreSession.orderBatchStart`).
public struct OrderBatchStart: Sendable {
    /// As `configurationInForce()`.
    public var configuration: ConfigurationVersion?
    /// The stored orders among the ids asked for.
    public var orders: [OrderRecord]
    /// The customers the lookups name, locked, by id.
    public var customers: [Customer]

    public init(configuration: ConfigurationVersion?, orders: [OrderRecord], customers: [Customer]) {
        self.configuration = configuration
        self.orders = orders
        self.customers = customers
    }
}

public protocol CustomerRepository {
    func customer(id: String) async throws -> Customer?
    func findCustomer(_ lookup: CustomerLookup) async throws -> Customer?
    /// Every customer matching any of the lookups (one query per kind of identifier).
    func findCustomers(_ lookups: [CustomerLookup]) async throws -> [Customer]
    /// `findCustomers` that also locks the customers found, as `lockCustomers` would, in the same statement (an
    /// order batch needs both, and each statement is a round trip on PostgreSQL).
    func findAndLockCustomers(_ lookups: [CustomerLookup]) async throws -> [Customer]
    func insertCustomers(_ customers: [Customer]) async throws
    func updateCustomer(_ customer: Customer) async throws
    func listCustomers(_ query: CustomerQuery) async throws -> [Customer]
    /// Customers whose birthday (`MM-DD`) is one of these, by id after `after`.
    func customers(birthMonthDays: [String], after: String?, limit: Int) async throws -> [Customer]
    /// Customers who joined in (`start`, `end`], by id after `after`.
    func customers(joinedFrom start: Date, to end: Date, after: String?, limit: Int) async throws -> [Customer]
    /// Holds the customers against concurrent writers until the transaction ends (a no-op where writes are
    /// serial). One statement for all of them, in id order, so that two batches never wait for each other in a
    /// circle.
    func lockCustomers(ids: [String]) async throws
}

/// A page of customers: `search` matches e-mail, phone, external id or card number exactly (normalised), or a
/// prefix of the name; pages continue after the id `after`.
public struct CustomerQuery: Sendable {
    public var search: String?
    public var limit: Int
    public var after: String?

    public init(search: String? = nil, limit: Int = 50, after: String? = nil) {
        self.search = search
        self.limit = limit
        self.after = after
    }
}

/// Where the scheduled job is in a walk of what fell due, in the order things fell due: the time, then an id
/// (a lot's, or a customer's for memberships) to break ties.
public struct DueCursor: Sendable, Equatable {
    public var due: Date
    public var id: String

    public init(due: Date, id: String) {
        self.due = due
        self.id = id
    }
}

/// One page of the scheduled job's walk: the customers it found (each once, in the order first found) and where
/// to continue, or nil when the walk is done.
public struct DuePage: Sendable, Equatable {
    public var customerIDs: [String]
    public var next: DueCursor?

    public init(customerIDs: [String], next: DueCursor?) {
        self.customerIDs = customerIDs
        self.next = next
    }
}

public protocol OrderRepository {
    func order(id: String) async throws -> OrderRecord?
    func orders(ids: [String]) async throws -> [OrderRecord]
    func insertOrders(_ orders: [OrderRecord]) async throws
    func updateOrders(_ orders: [OrderRecord]) async throws
    func returnRecord(id: String) async throws -> ReturnRecord?
    func insertReturns(_ returns: [ReturnRecord]) async throws
    /// Which of these return ids exist.
    func existingReturnIDs(_ ids: [String]) async throws -> Set<String>
    /// The return with this id and those with ids `id/…` (an imported cancellation split over several orders).
    func returnRecords(family id: String) async throws -> [ReturnRecord]
    func orders(customerID: String, limit: Int) async throws -> [OrderRecord]
    /// A page of orders placed at or after `start`, by order id, continuing after `after`.
    func orders(placedAfter start: Date, after: String?, limit: Int) async throws -> [OrderRecord]
    /// A page of orders by order id, optionally only those with `status`, continuing after `after`.
    func listOrders(status: OrderRecord.Status?, limit: Int, after: String?) async throws -> [OrderRecord]
}

public protocol LedgerRepository {
    /// Lots with points left.
    func openLots(customerIDs: [String]) async throws -> [PointLot]
    func apply(_ changes: LedgerChanges) async throws
    /// Newest first; continues before the entry id `before`.
    func entries(customerID: String, limit: Int, before: String?) async throws -> [LedgerEntry]
    func balance(customerID: String) async throws -> Int64
    /// Up to `limit` lots with points left that expired at or before `time`, in order of expiry then lot id, after
    /// `after`: their customers. Reads only lots that are due, so a daily run costs what fell due that day, however
    /// many lots are open.
    func customersWithExpiredLots(asOf time: Date, after: DueCursor?, limit: Int) async throws -> DuePage
    /// Customers with points in lots expiring in (`from`, `to`]: their points and the first such expiry, by
    /// customer id, continuing after `after`.
    func expiringPoints(from: Date, to: Date, limit: Int, after: String?) async throws
        -> [(customerID: String, points: Int64, firstExpiry: Date)]
    /// Every open lot's remaining points with its maturity and expiry (for the liability report).
    func openLotBalances() async throws -> [(remaining: Int64, maturesAt: Date, expiresAt: Date?)]
    /// Σ points of entries of each kind dated in [`from`, `to`).
    func entryTotals(from: Date, to: Date) async throws -> [LedgerEntry.Kind: Int64]
    /// How many times `ruleID` awarded points to the customer at or after `since` (event caps).
    func countAwards(customerID: String, ruleID: String, since: Date) async throws -> Int
}

/// The program's versioned configuration (tiers …) and each customer's membership in it.
public protocol MembershipRepository {
    /// The newest configuration version, if any was saved.
    func configuration() async throws -> ConfigurationVersion?
    /// `configuration()` as the store last decoded it, when the newest version number is still the one it holds:
    /// one small query instead of reading and decoding the documents (the order path asks for every batch). nil
    /// when the program never saved a version; its rules are then those of `rules()`.
    func configurationInForce() async throws -> ConfigurationVersion?
    /// Every saved version, newest first.
    func configurationVersions(limit: Int) async throws -> [ConfigurationVersion]
    func insertConfiguration(_ version: ConfigurationVersion) async throws
    func memberships(customerIDs: [String]) async throws -> [Membership]
    /// A page of all memberships by customer id, continuing after `after` (for reports).
    func memberships(after: String?, limit: Int) async throws -> [Membership]
    /// Inserts or replaces; `tierID` and `dueAt` are stored beside the document for listing and the scheduled job.
    func saveMemberships(_ memberships: [(membership: Membership, tierID: String?, dueAt: Date?)]) async throws
    /// Up to `limit` customers whose membership needs the scheduled job at or before `time`, in order of that
    /// date then customer id, after `after`. Reads only memberships that are due.
    func customersWithDueMemberships(asOf time: Date, after: DueCursor?, limit: Int) async throws -> DuePage
    /// How many customers hold each tier (earned or overridden, as stored); key "" counts customers without a
    /// membership row.
    func tierCounts() async throws -> [String: Int]
}

/// Rewards issued to customers.
public protocol RewardRepository {
    func insertRewardInstances(_ instances: [RewardInstance]) async throws
    /// Rewrites the instance (status, use, cancellation).
    func updateRewardInstance(_ instance: RewardInstance) async throws
    func rewardInstance(code: String) async throws -> RewardInstance?
    /// Newest first.
    func rewardInstances(customerID: String) async throws -> [RewardInstance]
    /// Instances of the reward that are not cancelled, for everyone or for one customer.
    func countRewardInstances(rewardID: String, customerID: String?) async throws -> Int
    /// Issued instances whose code expired at or before `time`.
    func dueRewardInstances(asOf time: Date, limit: Int) async throws -> [RewardInstance]
}

/// Orders as purchases, for the analytics on live data.
public protocol PurchaseRepository {
    /// A page of the program's orders by order id, continuing after `after`, each with the money its returns took
    /// back.
    func purchases(after: String?, limit: Int) async throws -> [PurchaseRow]
    /// Changes whenever an order or a return is recorded: lets a scheduled recomputation skip unchanged data.
    func purchaseFingerprint() async throws -> String
}

public protocol RuleRepository {
    func rules() async throws -> [EarningRule]
    func saveRule(_ rule: EarningRule, at: Date) async throws
    func deleteRule(id: String) async throws
}

/// A custom event as stored.
public struct EventRecord: Codable, Sendable, Equatable {
    public var programID: String
    public var input: EventInput
    public var customerID: String
    public var pointsAwarded: Int64
    public var createdAt: Date

    public init(programID: String, input: EventInput, customerID: String, pointsAwarded: Int64, createdAt: Date) {
        self.programID = programID
        self.input = input
        self.customerID = customerID
        self.pointsAwarded = pointsAwarded
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case programID = "program_id"
        case input
        case customerID = "customer_id"
        case pointsAwarded = "points_awarded"
        case createdAt = "created_at"
    }
}

public protocol EventRepository {
    func insertEvent(_ event: EventRecord) async throws
    func event(id: String) async throws -> EventRecord?
}

/// The remembered answer to a retried write: same key and same request → same answer; same key, other request → 409.
public struct IdempotencyRecord: Sendable, Equatable {
    public var scope: String
    public var key: String
    public var requestHash: String
    public var response: Data
    public var createdAt: Date

    public init(scope: String, key: String, requestHash: String, response: Data, createdAt: Date) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
        self.response = response
        self.createdAt = createdAt
    }
}

public protocol IdempotencyRepository {
    func idempotencyRecord(scope: String, key: String) async throws -> IdempotencyRecord?
    func insertIdempotencyRecords(_ records: [IdempotencyRecord]) async throws
}

/// Points spent as money off an order, or (later) on a catalogue reward.
public struct RedemptionRecord: Codable, Sendable, Equatable {
    public var programID: String
    public var id: String
    public var customerID: String
    public var idempotencyKey: String
    public var points: Int64
    public var amount: Int64
    public var currency: String
    public var orderID: String?
    public var rewardID: String?
    public var entryID: String
    public var createdAt: Date

    public init(
        programID: String, id: String, customerID: String, idempotencyKey: String, points: Int64, amount: Int64,
        currency: String, orderID: String?, rewardID: String?, entryID: String, createdAt: Date
    ) {
        self.programID = programID
        self.id = id
        self.customerID = customerID
        self.idempotencyKey = idempotencyKey
        self.points = points
        self.amount = amount
        self.currency = currency
        self.orderID = orderID
        self.rewardID = rewardID
        self.entryID = entryID
        self.createdAt = createdAt
    }
}

public protocol RedemptionRepository {
    func insertRedemption(_ redemption: RedemptionRecord) async throws
}

/// Leases that let one of several `retain serve` processes on a database run a scheduled job of a program.
public protocol JobLeaseRepository {
    /// Takes (or renews) the lease of `job` for `holder` until `until`, unless another holder's lease is still
    /// valid at `now`. True when `holder` holds it afterwards.
    func takeLease(job: String, holder: String, now: Date, until: Date) async throws -> Bool
}

/// Programs and API keys.
public protocol InstanceRepository: Sendable {
    func programs() async throws -> [Program]
    func program(id: String) async throws -> Program?
    func insertProgram(_ program: Program) async throws
    func updateProgram(_ program: Program) async throws
    func insertKey(_ key: APIKey) async throws
    func keys(programID: String?) async throws -> [APIKey]
    func key(hash: String) async throws -> APIKey?
    /// Marks the key revoked; false when no such key exists.
    func revokeKey(id: String, at: Date) async throws -> Bool
}
