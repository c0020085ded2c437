import Foundation
import RetainCore

/// What happened to one order of a batch.
public enum OrderOutcome: Sendable {
    /// Recorded now (or held as unmatched).
    case recorded(OrderResult, OrderRecord)
    /// The same order was recorded before: the first answer.
    case replayed(OrderResult)
    /// The order id was used before for a different order.
    case conflict(String)
    /// The order names a `customer_id` this program does not have.
    case unknownCustomer(String)

    /// For metrics: recorded, replayed, conflict, unknown_customer.
    var name: String {
        switch self {
        case .recorded: return "recorded"
        case .replayed: return "replayed"
        case .conflict: return "conflict"
        case .unknownCustomer: return "unknown_customer"
        }
    }
}

/// The working set of one write transaction that records many orders: it reads what the orders need in a few
/// bulk queries (the orders by id, the customers by every identifier, their open lots, the rules), applies the
/// same pure steps as a single order (`OrderPosting`, `Wallet`, membership bonuses), and writes everything with
/// multi-row statements in `flush()`.
///
/// The HTTP path sends concurrent orders through one batch (see `OrderPipeline`) and the importer sends a file's
/// orders through one batch per few thousand; both get exactly the same answers as recording the orders one by
/// one in arrival order. An importer on a store that lets it keep state across transactions (`WriteSequence`)
/// carries one batch from transaction to transaction (`begin`): what it read and wrote stays known, and it reads
/// only what it does not know.
///
/// Used by one task at a time (one transaction after another), hence `@unchecked Sendable`.
final class OrderBatch: @unchecked Sendable {
    /// Writes (and locks) of the current transaction.
    private(set) var session: any StoreSession
    /// Reads of what the batch does not know: `session` itself, or a snapshot of committed data when the batch is
    /// carried across transactions sent without waiting (see `WriteSequence`).
    private(set) var reads: any StoreSession
    let service: LoyaltyService
    let rules: [EarningRule]
    let settings: ProgramSettings
    private(set) var now: Date
    /// The tier steps of every order; nil work when the program tracks no memberships.
    let membershipEngine: MembershipEngine
    /// Store each order's answer so a retry gets it back byte for byte (the API); the importer does not need it.
    let storeResponses: Bool

    private var customerByLookup: [CustomerLookup: String] = [:]
    /// Lookups this transaction already asked the store for and found no customer: an order from a new customer
    /// must not ask again (on PostgreSQL each question is a round trip inside the batch's transaction).
    private var absentLookups: Set<CustomerLookup> = []
    /// Customers this transaction holds locked (found with their lock): the wallet is read after the lock.
    private var locked: Set<String> = []
    private(set) var wallets: [String: Wallet] = [:]
    /// Wallets changed in this transaction (a batch carried across transactions knows many more).
    private var touchedWallets: Set<String> = []
    /// Loaded or started memberships (only when the configuration tracks them); nil value = none stored yet.
    private var memberships: [String: Membership?] = [:]
    private var changedMemberships: Set<String> = []
    private var orders: [String: OrderRecord] = [:]
    private var newCustomers: [Customer] = []
    private var newOrderIDs: [String] = []
    private var newOrderSet: Set<String> = []
    private var changedOrderIDs: Set<String> = []
    private var newReturns: [ReturnRecord] = []

    init(
        session: any StoreSession, service: LoyaltyService, rules: [EarningRule], configuration: LoyaltyConfiguration,
        settings: ProgramSettings, now: Date, storeResponses: Bool
    ) {
        self.session = session
        self.reads = session
        self.service = service
        self.rules = rules
        self.membershipEngine = MembershipEngine(configuration: configuration, settings: settings)
        self.settings = settings
        self.now = now
        self.storeResponses = storeResponses
    }

    /// Carries the batch into the next transaction of a `WriteSequence` that keeps state: what it knows stays.
    func begin(writes: any StoreSession, reads: any StoreSession, now: Date) {
        session = writes
        self.reads = reads
        self.now = now
    }

    /// How many orders the batch knows: it keeps every one it read or recorded.
    var knownOrders: Int { orders.count }

    /// Reads what these orders need and the batch does not know yet (`start`, then `prefetch`).
    func prefetch(_ inputs: [OrderInput]) async throws {
        let lookups = Self.lookups(inputs).filter { customerByLookup[$0] == nil && !absentLookups.contains($0) }
        let orderIDs = inputs.map(\.orderID).filter { orders[$0] == nil }
        let start = try await reads.orderBatchStart(orderIDs: orderIDs, lookups: lookups)
        for record in start.orders where orders[record.orderID] == nil { orders[record.orderID] = record }
        try await found(start.customers, lookups: lookups)
    }

    /// The first reads of a batch of these orders (`StoreSession.orderBatchStart`), which `prefetch` then takes:
    /// the configuration they are recorded under comes with them, since the batch is made with it.
    static func start(_ inputs: [OrderInput], session: any StoreSession) async throws -> OrderBatchStart {
        try await session.orderBatchStart(orderIDs: inputs.map(\.orderID), lookups: lookups(inputs))
    }

    private static func lookups(_ inputs: [OrderInput]) -> [CustomerLookup] {
        Array(Set(inputs.flatMap(\.customer.lookups)))
    }

    /// Takes what `start` read for these orders (existing orders with their ids, the customers they name, locked)
    /// and reads those customers' open lots.
    func prefetch(_ inputs: [OrderInput], from start: OrderBatchStart) async throws {
        for record in start.orders where orders[record.orderID] == nil { orders[record.orderID] = record }
        try await found(start.customers, lookups: Self.lookups(inputs).filter { customerByLookup[$0] == nil })
    }

    /// Reads and locks the customers these lookups name (and reads their wallets), remembering the lookups that
    /// name none.
    private func find(_ lookups: [CustomerLookup]) async throws {
        try await found(try await reads.findAndLockCustomers(lookups), lookups: lookups)
    }

    /// Remembers customers found (and locked) by these lookups, and the lookups that found none; reads their
    /// wallets.
    private func found(_ customers: [Customer], lookups: [CustomerLookup]) async throws {
        locked.formUnion(customers.map(\.id))
        remember(customers)
        absentLookups.formUnion(lookups.filter { customerByLookup[$0] == nil })
        try await loadWallets(customers.map(\.id))
    }

    /// Records one validated order, or says why not. `expireAt` is the moment up to which the customer's due
    /// lots are written off first (now for live orders; the order's own time when replaying history); the answer
    /// shows the wallet as of `walletAt`, or no wallet when it is nil (the importer, which shows no answers).
    func record(_ order: OrderInput, fingerprint: String, expireAt: Date, walletAt: Date?) async throws -> OrderOutcome
    {
        if let existing = orders[order.orderID] {
            guard existing.requestHash == fingerprint else {
                return .conflict(
                    "order_id \(order.orderID) was already used for a different order; send the same body to retry, or use a new id"
                )
            }
            if let response = existing.response {
                return .replayed(try APIJSON.decode(OrderResult.self, from: response))
            }
            return .replayed(LoyaltyService.result(existing, wallet: nil, created: false))
        }
        var record: OrderRecord
        var result: OrderResult
        if let customerID = try await resolve(order.customer) {
            try await loadWallets([customerID])
            // Mutated in place: a copy would duplicate the customer's lots and this batch's changes for every order.
            wallets[customerID]!.expireDue(at: expireAt, now: now)
            touchedWallets.insert(customerID)
            record = post(order, customerID: customerID)
            result = LoyaltyService.result(record, wallet: summary(customerID, at: walletAt), created: false)
        } else if let id = order.customer.customerID {
            return .unknownCustomer("no customer \(id) in this program")
        } else if settings.unknownCustomer == .hold {
            record = OrderPosting.hold(order, programID: session.programID, now: now)
            result = LoyaltyService.result(record, wallet: nil, created: false)
        } else {
            let customerID = enrol(order.customer)
            record = post(order, customerID: customerID)
            result = LoyaltyService.result(record, wallet: summary(customerID, at: walletAt), created: true)
        }
        record.requestHash = fingerprint
        if storeResponses { record.response = try APIJSON.encode(result) }
        orders[order.orderID] = record
        newOrderIDs.append(order.orderID)
        newOrderSet.insert(order.orderID)
        return .recorded(result, record)
    }

    /// Posts the order into the customer's wallet and, when the program tracks them, membership.
    private func post(_ order: OrderInput, customerID: String) -> OrderRecord {
        touchedWallets.insert(customerID)
        guard membershipEngine.configuration.tracksMembership else {
            return OrderPosting.post(
                order, customerID: customerID, rules: rules, settings: settings, wallet: &wallets[customerID]!,
                now: now)
        }
        var membership = memberships[customerID] ?? nil
        let record = OrderPosting.post(
            order, customerID: customerID, rules: rules, settings: settings, wallet: &wallets[customerID]!,
            membership: &membership, engine: membershipEngine, now: now)
        memberships[customerID] = membership
        changedMemberships.insert(customerID)
        return record
    }

    /// Changes a customer's membership in place (a return); nothing when the program tracks none or the customer
    /// has no membership yet.
    func withMembership(_ customerID: String, _ body: (inout Membership?) -> Void) async throws {
        guard membershipEngine.configuration.tracksMembership else { return }
        try await loadWallets([customerID])
        var membership = memberships[customerID] ?? nil
        body(&membership)
        memberships[customerID] = membership
        if membership != nil { changedMemberships.insert(customerID) }
    }

    private func summary(_ customerID: String, at time: Date?) -> WalletSummary? {
        time.map { WalletSummary(wallet: wallets[customerID]!, settings: settings, at: $0) }
    }

    /// The customer a reference names, by matching priority, among those loaded and those created in this batch.
    func resolve(_ reference: CustomerReference) async throws -> String? {
        for lookup in reference.lookups {
            if let id = customerByLookup[lookup] { return id }
        }
        let missing = reference.lookups.filter { customerByLookup[$0] == nil && !absentLookups.contains($0) }
        guard !missing.isEmpty else { return nil }
        try await find(missing)
        for lookup in reference.lookups {
            if let id = customerByLookup[lookup] { return id }
        }
        return nil
    }

    /// Creates a customer from an order's contact details, with the welcome bonuses of a sign-up.
    private func enrol(_ reference: CustomerReference) -> String {
        var customer = Customer(
            id: service.environment.ids.make("cus"), programID: session.programID, externalID: reference.externalID,
            cardNumber: reference.cardNumber, email: reference.email, phone: reference.phone, createdAt: now,
            updatedAt: now)
        var wallet = Wallet(
            programID: session.programID, customerID: customer.id, openLots: [], ids: service.environment.ids)
        service.creditMembershipBonuses(
            &customer, isNew: true, rules: rules, settings: settings, wallet: &wallet, at: now)
        wallets[customer.id] = wallet
        touchedWallets.insert(customer.id)
        if membershipEngine.configuration.tracksMembership { memberships[customer.id] = .some(nil) }
        newCustomers.append(customer)
        remember([customer])
        return customer.id
    }

    private func remember(_ customers: [Customer]) {
        for customer in customers {
            for lookup in CustomerReference(
                customerID: customer.id, externalID: customer.externalID, cardNumber: customer.cardNumber,
                email: customer.email, phone: customer.phone
            ).lookups where customerByLookup[lookup] == nil {
                customerByLookup[lookup] = customer.id
            }
        }
    }

    private func loadWallets(_ customerIDs: [String]) async throws {
        let missing = customerIDs.filter { wallets[$0] == nil }
        guard !missing.isEmpty else { return }
        try await session.lockCustomers(ids: missing.filter { !locked.contains($0) })
        let lots = Dictionary(grouping: try await reads.openLots(customerIDs: missing), by: \.customerID)
        for id in missing {
            wallets[id] = Wallet(
                programID: session.programID, customerID: id, openLots: lots[id] ?? [], ids: service.environment.ids)
        }
        if membershipEngine.configuration.tracksMembership {
            for id in missing { memberships[id] = .some(nil) }
            for membership in try await reads.memberships(customerIDs: missing) {
                memberships[membership.customerID] = membership
            }
        }
    }

    /// Changes a customer's wallet in place.
    func withWallet<T>(_ customerID: String, _ body: (inout Wallet) throws -> T) async throws -> T {
        try await loadWallets([customerID])
        touchedWallets.insert(customerID)
        return try body(&wallets[customerID]!)
    }

    /// An order this batch knows (loaded or recorded).
    func order(_ id: String) -> OrderRecord? { orders[id] }

    /// Keeps a changed order (a return was applied to it) to be written by `flush()`.
    func updateOrder(_ record: OrderRecord) {
        orders[record.orderID] = record
        if !newOrderSet.contains(record.orderID) { changedOrderIDs.insert(record.orderID) }
    }

    func addReturn(_ record: ReturnRecord) { newReturns.append(record) }

    /// Customers created so far.
    var customersCreated: Int { newCustomers.count }

    /// Writes everything the batch did.
    func flush() async throws {
        var changes = LedgerChanges()
        for id in touchedWallets.sorted() { changes.append(wallets[id]!.takeChanges()) }
        touchedWallets = []
        // One statement for the new customers, entries, lots and orders on PostgreSQL (lot updates go between).
        try await session.combiningInserts { try await write(changes) }
        changedMemberships = []
        newCustomers = []
        newOrderIDs = []
        newOrderSet = []
        changedOrderIDs = []
        newReturns = []
    }

    private func write(_ changes: LedgerChanges) async throws {
        try await session.insertCustomers(newCustomers)
        try await session.apply(changes)
        try await session.insertOrders(newOrderIDs.compactMap { orders[$0] })
        try await session.updateOrders(changedOrderIDs.sorted().compactMap { orders[$0] })
        try await session.insertReturns(newReturns)
        var granted: [RewardInstance] = []
        for id in changedMemberships.sorted() {
            guard var membership = memberships[id] ?? nil else { continue }
            granted += service.instances(for: &membership)
            memberships[id] = membership
        }
        try await session.insertRewardInstances(granted)
        try await session.saveMemberships(
            changedMemberships.sorted().compactMap { id in
                guard let membership = memberships[id] ?? nil else { return nil }
                return (membership, membership.tier?.effectiveTierID(at: now), membershipEngine.nextDue(membership))
            })
    }
}
