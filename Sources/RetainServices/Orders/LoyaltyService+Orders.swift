import Foundation
import Metrics
import RetainCore

/// The answer to a recorded order.
public struct OrderResult: Codable, Sendable, Equatable {
    public var orderID: String
    public var customerID: String?
    public var status: OrderRecord.Status
    public var total: Int64
    public var currency: String
    public var pointsEarned: Int64
    public var awards: [Award]
    /// The customer's wallet right after the order (nil while the order is unmatched).
    public var wallet: WalletSummary?
    /// True when the customer was created by this order.
    public var customerCreated: Bool

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case customerID = "customer_id"
        case status, total, currency
        case pointsEarned = "points_earned"
        case awards, wallet
        case customerCreated = "customer_created"
    }
}

/// An order as `GET /v1/orders/{id}` shows it now, returns included.
public struct OrderView: Codable, Sendable, Equatable {
    public var order: OrderInput
    public var customerID: String?
    public var status: OrderRecord.Status
    public var pointsEarned: Int64
    public var pointsReversed: Int64
    public var returnedAmount: Int64
    public var awards: [OrderRecord.AwardState]
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case order
        case customerID = "customer_id"
        case status
        case pointsEarned = "points_earned"
        case pointsReversed = "points_reversed"
        case returnedAmount = "returned_amount"
        case awards
        case createdAt = "created_at"
    }

    init(_ record: OrderRecord) {
        order = record.input
        customerID = record.customerID
        status = record.status
        pointsEarned = record.pointsEarned
        pointsReversed = record.pointsReversed
        returnedAmount = record.returnedAmount
        awards = record.awards
        createdAt = record.createdAt
    }
}

/// What a return did.
public struct ReturnResult: Codable, Sendable, Equatable {
    public var `return`: ReturnRecord
    public var wallet: WalletSummary?
}

/// What an order would earn, without writing anything.
public struct SimulationResult: Codable, Sendable, Equatable {
    public var total: Int64
    public var currency: String
    public var pointsEarned: Int64
    public var awards: [Award]

    enum CodingKeys: String, CodingKey {
        case total, currency
        case pointsEarned = "points_earned"
        case awards
    }
}

extension LoyaltyService {
    /// Records an order once. The same order id with the same body returns the first answer; with a different
    /// body it is a conflict. The customer is matched by the reference's identifiers in priority order; an unknown
    /// customer is created or the order held, by the program's `unknown_customer` policy. Concurrent calls share
    /// transactions through the environment's `OrderPipeline`.
    public func recordOrder(program: String, _ input: OrderInput) async throws -> OrderResult {
        try await recordOrderAnswer(program: program, input).result
    }

    /// `recordOrder` with the answer's API JSON as well: the bytes stored for retries are the bytes sent, encoded
    /// once (encoding the answer twice was a tenth of the API's CPU per order).
    public func recordOrderAnswer(program: String, _ input: OrderInput) async throws -> (
        result: OrderResult, json: Data
    ) {
        let settings = try await environment.programs.program(program).settings
        let order = try input.validated(for: settings)
        try Self.rejectFuture(order.placedAt, field: "placed_at", now: now)
        let outcome = try await environment.orderPipeline.submit(
            program: program, order: order, fingerprint: order.fingerprint, service: self)
        Counter(label: "retain_orders_total", dimensions: [("outcome", outcome.name)]).increment()
        switch outcome {
        case .recorded(let result, let record):
            Counter(label: "retain_points_awarded_total").increment(by: Int(result.pointsEarned))
            return (result, try record.response ?? APIJSON.encode(result))
        case .replayed(let result): return (result, try APIJSON.encode(result))
        case .conflict(let detail): throw DomainError.conflict(detail)
        case .unknownCustomer(let detail): throw DomainError.invalid("customer.customer_id", detail)
        }
    }

    /// Records validated orders in one transaction, in order; one outcome per order. The batch locks every customer
    /// before reading its wallet (`OrderBatch.loadWallets`), so it can run beside other batches with row locks
    /// only.
    func recordBatch(program: String, _ orders: [(OrderInput, String)]) async throws -> [OrderOutcome] {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.write(program: program, isolation: .customerLocks) { session in
            let inputs = orders.map(\.0)
            let start = try await OrderBatch.start(inputs, session: session)
            var rules = start.configuration?.rules
            if rules == nil { rules = try await session.rules() }
            let batch = OrderBatch(
                session: session, service: self, rules: rules ?? [],
                configuration: start.configuration?.configuration ?? .empty, settings: settings, now: time,
                storeResponses: true)
            try await batch.prefetch(inputs, from: start)
            var outcomes: [OrderOutcome] = []
            for (order, fingerprint) in orders {
                outcomes.append(try await batch.record(order, fingerprint: fingerprint, expireAt: time, walletAt: time))
            }
            try await batch.flush()
            return outcomes
        }
    }

    /// Times more than a day ahead of the server are refused: they are clock or time-zone mistakes, and points
    /// dated in the future would stay pending and unexpirable.
    static func rejectFuture(_ time: Date, field: String, now: Date) throws {
        if time > now.addingTimeInterval(86_400) {
            throw DomainError.invalid(field, "is more than a day in the future (\(RFC3339.string(time)))")
        }
    }

    static func result(_ record: OrderRecord, wallet: WalletSummary?, created: Bool) -> OrderResult {
        OrderResult(
            orderID: record.orderID, customerID: record.customerID, status: record.status, total: record.input.paid,
            currency: record.input.currency, pointsEarned: record.pointsEarned, awards: record.awards.map(\.award),
            wallet: wallet, customerCreated: created)
    }

    public func order(program: String, id: String) async throws -> OrderView {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { session in
            guard let record = try await session.order(id: id) else {
                throw DomainError.notFound(what: "order", id: id)
            }
            return OrderView(record)
        }
    }

    /// Records a return or cancellation once (by `return_id`) and takes back the points it undoes, in proportion.
    public func recordReturn(program: String, orderID: String, _ input: ReturnInput) async throws -> ReturnResult {
        let settings = try await environment.programs.program(program).settings
        let requestHash = input.fingerprint(orderID: orderID)
        let time = now
        return try await store.write(program: program) { session in
            if let existing = try await session.returnRecord(id: input.returnID) {
                guard existing.requestHash == requestHash else {
                    throw DomainError.conflict("return_id \(input.returnID) was already used for a different return")
                }
                var wallet: WalletSummary?
                if let customerID = existing.customerID {
                    let current = Wallet(
                        programID: program, customerID: customerID,
                        openLots: try await session.openLots(customerIDs: [customerID]), ids: environment.ids)
                    wallet = WalletSummary(wallet: current, settings: settings, at: time)
                }
                return ReturnResult(return: existing, wallet: wallet)
            }
            guard var record = try await session.order(id: orderID) else {
                throw DomainError.notFound(what: "order", id: orderID)
            }
            let units = try OrderPosting.resolve(input, against: record)
            let returnedAt = input.returnedAt ?? time
            var wallet = Wallet(
                programID: program, customerID: record.customerID ?? "", openLots: [], ids: environment.ids)
            if let customerID = record.customerID {
                wallet = try await loadWallet(session, customerID: customerID, at: time)
            }
            let engine = try await membershipEngine(session, settings: settings)
            var membership: Membership?
            if let customerID = record.customerID {
                membership = try await session.memberships(customerIDs: [customerID]).first
            }
            var returned = OrderPosting.applyReturn(
                input, units: units, to: &record, wallet: &wallet, membership: &membership, engine: engine,
                at: returnedAt, now: time)
            returned.requestHash = requestHash
            try await saveMembership(membership, engine: engine, in: session, at: time)
            try await session.apply(wallet.changes)
            try await session.updateOrders([record])
            try await session.insertReturns([returned])
            let summary = record.customerID == nil ? nil : WalletSummary(wallet: wallet, settings: settings, at: time)
            return ReturnResult(return: returned, wallet: summary)
        }
    }

    /// Orders by id, for example the `unmatched` ones waiting to be assigned.
    public func listOrders(program: String, status: OrderRecord.Status?, limit: Int, after: String?) async throws
        -> [OrderView]
    {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { session in
            try await session.listOrders(status: status, limit: limit, after: after).map(OrderView.init)
        }
    }

    /// Gives a held (`unmatched`) order to a customer and awards its points now, by the rules in force now, dated
    /// at the order's time. Assigning it again to the same customer changes nothing; to another one is a conflict.
    /// A retry of the original `POST /v1/orders` still gets its first answer.
    public func assignOrder(program: String, orderID: String, customerID: String) async throws -> OrderResult {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.write(program: program) { session in
            guard let record = try await session.order(id: orderID) else {
                throw DomainError.notFound(what: "order", id: orderID)
            }
            guard record.status == .unmatched else {
                guard record.customerID == customerID else {
                    throw DomainError.conflict("order \(orderID) belongs to customer \(record.customerID ?? "none")")
                }
                let wallet = try await loadWallet(session, customerID: customerID, at: time)
                return Self.result(
                    record, wallet: WalletSummary(wallet: wallet, settings: settings, at: time), created: false)
            }
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.invalid("customer_id", "no customer \(customerID) in this program")
            }
            var wallet = try await loadWallet(session, customerID: customerID, at: time)
            let engine = try await membershipEngine(session, settings: settings)
            var membership = try await session.memberships(customerIDs: [customerID]).first
            var assigned = OrderPosting.post(
                record.input, customerID: customerID, rules: try await session.rules(),
                settings: settings, wallet: &wallet, membership: &membership, engine: engine, now: time)
            try await saveMembership(membership, engine: engine, in: session, at: time)
            assigned.createdAt = record.createdAt
            assigned.requestHash = record.requestHash
            assigned.response = record.response
            try await session.apply(wallet.changes)
            try await session.updateOrders([assigned])
            return Self.result(
                assigned, wallet: WalletSummary(wallet: wallet, settings: settings, at: time), created: false)
        }
    }

    /// What the order would earn under the current rules; writes nothing and needs no customer.
    public func simulate(program: String, _ input: OrderInput) async throws -> SimulationResult {
        let settings = try await environment.programs.program(program).settings
        var candidate = input
        if candidate.customer.isEmpty { candidate.customer = CustomerReference(customerID: "simulation") }
        let order = try candidate.validated(for: settings)
        let rules = try await store.read(program: program) { session in try await session.rules() }
        let awards = EarningEngine.evaluate(order: order, rules: rules, settings: settings)
        return SimulationResult(
            total: order.paid, currency: order.currency, pointsEarned: awards.reduce(0) { $0 + $1.points },
            awards: awards)
    }
}
