import Foundation
import RetainCore

/// The bulk path for order history. It applies the same pure steps as `recordOrder` and `recordReturn`
/// (`OrderInput.validated`, `EarningEngine`, `OrderPosting`, `Wallet`) — so an imported order earns exactly what
/// the API would give it — but keeps customers and wallets in memory and writes a few thousand items per
/// transaction with multi-row statements. Re-running the same file changes nothing: orders and returns already
/// stored with the same content are counted as already imported.
public struct OrderImporter: Sendable {
    public let service: LoyaltyService
    /// Items per transaction: a crash loses at most one batch, never half an order.
    public var batchSize = 2_000

    public init(service: LoyaltyService) {
        self.service = service
    }

    /// Imports `items` (sorted here by time, stable) into `program`.
    /// - Parameters:
    ///   - report: counts carried over from parsing (rows read, rows skipped while reading).
    ///   - progress: called after each batch with (items done, items total).
    public func run(
        program: String, items unsorted: [ImportItem], report initial: ImportReport,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> ImportReport {
        let environment = service.environment
        let settings = try await environment.programs.program(program).settings
        let items = unsorted.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let rules = try await environment.store.read(program: program) { try await $0.rules() }
        let state = ImportState(report: initial)
        var done = 0
        while done < items.count {
            let batch = Array(items[done..<min(done + batchSize, items.count)])
            try await environment.store.write(program: program) { session in
                try await state.process(batch, session: session, rules: rules, settings: settings, service: service)
            }
            done += batch.count
            progress(done, items.count)
        }
        return state.report
    }
}

/// Customers, wallets and order history seen so far in one import run.
final class ImportState: @unchecked Sendable {
    var report: ImportReport
    private var customerIDs: [CustomerReference: String] = [:]
    private var wallets: [String: Wallet] = [:]
    /// Per customer: their orders, oldest first, for matching cancellations.
    private var history: [String: [String]] = [:]
    private var orders: [String: OrderRecord] = [:]
    private var historyLoaded: Set<String> = []

    init(report: ImportReport) {
        self.report = report
    }

    func process(
        _ batch: [ImportItem], session: any StoreSession, rules: [EarningRule], settings: ProgramSettings,
        service: LoyaltyService
    ) async throws {
        let environment = service.environment
        let now = environment.clock.now()
        var newCustomers: [Customer] = []
        var newOrders: [OrderRecord] = []
        var newOrderIndex: [String: Int] = [:]
        var changedOrders: Set<String> = []
        var newReturns: [ReturnRecord] = []
        let existingOrders = try await session.orders(ids: batch.compactMap {
            if case .order(let order, _) = $0 { return order.orderID } else { return nil }
        })
        var stored = Dictionary(existingOrders.map { ($0.orderID, $0) }, uniquingKeysWith: { first, _ in first })

        func customerID(for reference: CustomerReference, createIfMissing: Bool) async throws -> String? {
            if let known = customerIDs[reference] { return known }
            var found: Customer?
            for lookup in reference.lookups where found == nil { found = try await session.findCustomer(lookup) }
            if found == nil && createIfMissing && settings.unknownCustomer == .create && reference.customerID == nil {
                var customer = Customer(
                    id: environment.ids.make("cus"), programID: session.programID, externalID: reference.externalID,
                    cardNumber: reference.cardNumber, email: reference.email, phone: reference.phone,
                    createdAt: now, updatedAt: now)
                var wallet = Wallet(programID: session.programID, customerID: customer.id, openLots: [], ids: environment.ids)
                service.creditMembershipBonuses(
                    &customer, isNew: true, rules: rules, settings: settings, wallet: &wallet, at: now)
                wallets[customer.id] = wallet
                historyLoaded.insert(customer.id)
                newCustomers.append(customer)
                report.customersCreated += 1
                found = customer
            }
            guard let customer = found else { return nil }
            customerIDs[reference] = customer.id
            return customer.id
        }

        func wallet(_ customerID: String) async throws -> Wallet {
            if let wallet = wallets[customerID] { return wallet }
            let wallet = Wallet(
                programID: session.programID, customerID: customerID,
                openLots: try await session.openLots(customerIDs: [customerID]), ids: environment.ids)
            wallets[customerID] = wallet
            return wallet
        }

        func loadHistory(_ customerID: String) async throws {
            guard historyLoaded.insert(customerID).inserted else { return }
            let records = try await session.orders(customerID: customerID, limit: 100_000)
            for record in records.reversed() where orders[record.orderID] == nil {
                orders[record.orderID] = record
                history[customerID, default: []].append(record.orderID)
            }
        }

        for item in batch {
            switch item {
            case .order(let input, let firstLine):
                let order: OrderInput
                do {
                    order = try input.validated(for: settings)
                } catch {
                    report.skip(.invalidOrder, line: firstLine, rows: max(1, input.lines.count))
                    if report.notes.count < 10 { report.notes.append("line \(firstLine): \(error)") }
                    continue
                }
                let hash = order.fingerprint
                if let existing = stored[order.orderID] ?? orders[order.orderID] {
                    if existing.requestHash == hash {
                        report.ordersAlreadyImported += 1
                    } else {
                        report.skip(.conflictingOrder, line: firstLine, rows: max(1, order.lines.count))
                    }
                    continue
                }
                guard let customerID = try await customerID(for: order.customer, createIfMissing: true) else {
                    report.skip(.noCustomer, line: firstLine, rows: max(1, order.lines.count))
                    continue
                }
                try await loadHistory(customerID)
                var customerWallet = try await wallet(customerID)
                customerWallet.expireDue(at: order.placedAt, now: now)
                var record = OrderPosting.post(order, customerID: customerID, rules: rules, settings: settings,
                                               wallet: &customerWallet, now: now)
                // No stored answer: a retry of an imported order through the API is answered from the record.
                record.requestHash = hash
                wallets[customerID] = customerWallet
                orders[order.orderID] = record
                stored[order.orderID] = record
                history[customerID, default: []].append(order.orderID)
                newOrderIndex[order.orderID] = newOrders.count
                newOrders.append(record)
                report.ordersRecorded += 1
                report.pointsAwarded += record.pointsEarned

            case .cancellation(let cancellation):
                guard let customerID = try await customerID(for: cancellation.customer, createIfMissing: false) else {
                    for line in cancellation.lines { report.skip(.cancellationWithoutOriginal, line: line.line) }
                    continue
                }
                let earlier = try await session.returnRecords(family: cancellation.id)
                if !earlier.isEmpty {
                    report.returnsAlreadyImported += earlier.count
                    continue
                }
                try await loadHistory(customerID)
                // Units to take back per order, found newest order first.
                var plan: [String: [ReturnInput.Line]] = [:]
                var planOrder: [String] = []
                var planned: [String: [Int64]] = [:]
                for line in cancellation.lines {
                    var left = line.quantity
                    for orderID in (history[customerID] ?? []).reversed() where left > 0 {
                        guard let record = orders[orderID], record.input.placedAt <= cancellation.at else { continue }
                        var taken = planned[orderID] ?? Array(repeating: 0, count: record.input.lines.count)
                        for (index, orderLine) in record.input.lines.enumerated() where left > 0 && orderLine.sku == line.sku {
                            let available = orderLine.quantity - record.returnedUnits[index] - taken[index]
                            guard available > 0 else { continue }
                            let take = min(available, left)
                            taken[index] += take
                            left -= take
                            if plan[orderID] == nil { planOrder.append(orderID) }
                            plan[orderID, default: []].append(ReturnInput.Line(lineNumber: index, quantity: take))
                        }
                        planned[orderID] = taken
                    }
                    if left > 0 { report.skip(.cancellationWithoutOriginal, line: line.line) }
                }
                for orderID in planOrder {
                    let returnID = planOrder.count == 1 ? cancellation.id : "\(cancellation.id)/\(orderID)"
                    let input = ReturnInput(returnID: returnID, kind: .cancellation, lines: plan[orderID] ?? [],
                                            returnedAt: cancellation.at)
                    let requestHash = APIJSON.fingerprint(input, target: orderID)
                    guard var record = orders[orderID] else { continue }
                    let units: [Int64]
                    do {
                        units = try OrderPosting.resolve(input, against: record)
                    } catch {
                        report.skip(.cancellationWithoutOriginal, line: cancellation.lines.first?.line ?? 0)
                        continue
                    }
                    var customerWallet = try await wallet(customerID)
                    var returned = OrderPosting.applyReturn(input, units: units, to: &record, wallet: &customerWallet,
                                                            at: cancellation.at, now: now)
                    returned.requestHash = requestHash
                    wallets[customerID] = customerWallet
                    orders[orderID] = record
                    if let index = newOrderIndex[orderID] { newOrders[index] = record } else { changedOrders.insert(orderID) }
                    newReturns.append(returned)
                    report.returnsRecorded += 1
                    report.pointsReversed += returned.pointsReversed
                }
            }
        }

        var changes = LedgerChanges()
        for customerID in wallets.keys.sorted() { changes.append(wallets[customerID]!.takeChanges()) }
        try await session.insertCustomers(newCustomers)
        try await session.insertOrders(newOrders)
        try await session.updateOrders(changedOrders.sorted().compactMap { orders[$0] })
        try await session.insertReturns(newReturns)
        try await session.apply(changes)
    }
}
