import Foundation
import RetainCore

/// The bulk path for order history. Orders go through `OrderBatch` — the very code that records orders sent to
/// the API — a few thousand per transaction, each processed as of its own time (points due to expire before the
/// order are written off first). Cancellations that name no order are matched to the customer's most recent
/// earlier orders with that SKU and recorded as returns with the same arithmetic as `POST …/returns`.
/// Re-running the same file changes nothing: orders and cancellations already stored are counted as such.
public struct OrderImporter: Sendable {
    public let service: LoyaltyService
    /// Items per transaction: a crash loses at most one batch, never half an order.
    public var batchSize = 5_000

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
        let items = unsorted.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(
            \.element)
        let (rules, configuration) = try await environment.store.read(program: program) {
            (try await $0.rules(), try await $0.configuration()?.configuration ?? .empty)
        }
        // Orders are remembered (per customer, for matching cancellations) only when the file has cancellations:
        // a file of 10 million orders without any would otherwise hold them all in memory.
        let history = OrderHistory(
            remembersOrders: items.contains { if case .cancellation = $0 { true } else { false } })
        var report = initial
        var done = 0
        let batchSize = max(1, batchSize)
        // Each batch's orders are checked (pure work on all cores) while the batch before is written.
        func checked(from start: Int) -> Task<[(ImportItem, Result<CheckedOrder, any Error>?)], Never>? {
            guard start < items.count else { return nil }
            let slice = Array(items[start..<min(start + batchSize, items.count)])
            return Task { Array(zip(slice, CheckedOrders(slice, settings: settings).results)) }
        }
        var next = checked(from: 0)
        while let pending = next {
            let chunk = await pending.value
            next = checked(from: done + chunk.count)
            report = try await environment.store.write(program: program) { [report] session in
                let batch = OrderBatch(
                    session: session, service: service, rules: rules, configuration: configuration, settings: settings,
                    now: environment.clock.now(), storeResponses: false)
                var report = report
                try await history.importChunk(chunk, into: batch, report: &report)
                try await batch.flush()
                return report
            }
            done += chunk.count
            progress(done, items.count)
        }
        return report
    }
}

/// The orders of this import run per customer, oldest first, for matching cancellations; kept across batches.
final class OrderHistory: @unchecked Sendable {
    let remembersOrders: Bool

    init(remembersOrders: Bool = true) {
        self.remembersOrders = remembersOrders
    }

    private var byCustomer: [String: [String]] = [:]
    private var records: [String: OrderRecord] = [:]
    private var loaded: Set<String> = []

    /// - Parameter chunk: items in time order, each with its checked order (nil for a cancellation).
    func importChunk(
        _ chunk: [(ImportItem, Result<CheckedOrder, any Error>?)], into batch: OrderBatch, report: inout ImportReport
    ) async throws {
        var valid: [String: CheckedOrder] = [:]
        for case (.order(let input, let line), let checked?) in chunk {
            switch checked {
            case .success(let order): valid[input.orderID] = order
            case .failure(let error):
                report.skip(.invalidOrder, line: line, rows: max(1, input.lines.count))
                if report.notes.count < 10 { report.notes.append("line \(line): \(error)") }
            }
        }
        let inputs = valid.values.map(\.order)
        try await batch.prefetch(inputs, from: try await OrderBatch.start(inputs, session: batch.session))
        var cancellationIDs: [String] = []
        for case (.cancellation(let cancellation), _) in chunk { cancellationIDs.append(cancellation.id) }
        let importedBefore = try await batch.session.existingReturnIDs(cancellationIDs)
        let createdBefore = batch.customersCreated
        for (item, _) in chunk {
            switch item {
            case .order(let input, let line):
                guard let checked = valid[input.orderID] else { continue }
                let order = checked.order
                let outcome = try await batch.record(
                    order, fingerprint: checked.fingerprint, expireAt: order.placedAt, walletAt: nil)
                switch outcome {
                case .recorded(let result, let record):
                    if remembersOrders, let customerID = record.customerID {
                        if result.customerCreated { loaded.insert(customerID) }
                        try await loadHistory(customerID, batch)
                        byCustomer[customerID, default: []].append(record.orderID)
                    }
                    if remembersOrders { records[record.orderID] = record }
                    report.ordersRecorded += 1
                    report.pointsAwarded += record.pointsEarned
                case .replayed:
                    report.ordersAlreadyImported += 1
                case .conflict:
                    report.skip(.conflictingOrder, line: line, rows: max(1, order.lines.count))
                case .unknownCustomer:
                    report.skip(.noCustomer, line: line, rows: max(1, order.lines.count))
                }
            case .cancellation(let cancellation):
                try await importCancellation(
                    cancellation, importedBefore: importedBefore.contains(cancellation.id), into: batch, report: &report
                )
            }
        }
        report.customersCreated += batch.customersCreated - createdBefore
    }

    /// - Parameter importedBefore: the cancellation's first return exists, so an earlier run recorded it.
    private func importCancellation(
        _ cancellation: ImportCancellation, importedBefore: Bool, into batch: OrderBatch, report: inout ImportReport
    ) async throws {
        guard let customerID = try await batch.resolve(cancellation.customer) else {
            for line in cancellation.lines { report.skip(.cancellationWithoutOriginal, line: line.line) }
            return
        }
        if importedBefore {
            report.returnsAlreadyImported += try await batch.session.returnRecords(family: cancellation.id).count
            return
        }
        try await loadHistory(customerID, batch)
        // Units to take back per order, newest order first, spilling to older ones.
        var plan: [String: [ReturnInput.Line]] = [:]
        var planOrder: [String] = []
        var planned: [String: [Int64]] = [:]
        for line in cancellation.lines {
            var left = line.quantity
            for orderID in (byCustomer[customerID] ?? []).reversed() where left > 0 {
                guard let record = records[orderID], record.input.placedAt <= cancellation.at else { continue }
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
        for (position, orderID) in planOrder.enumerated() {
            guard var record = records[orderID] else { continue }
            // The first return carries the cancellation's own id, so a later run finds it with one bulk query.
            let returnID = position == 0 ? cancellation.id : "\(cancellation.id)/\(orderID)"
            let input = ReturnInput(
                returnID: returnID, kind: .cancellation, lines: plan[orderID] ?? [],
                returnedAt: cancellation.at)
            guard let units = try? OrderPosting.resolve(input, against: record) else {
                report.skip(.cancellationWithoutOriginal, line: cancellation.lines.first?.line ?? 0)
                continue
            }
            var membership: Membership?
            try await batch.withMembership(customerID) { membership = $0 }
            var returned = try await batch.withWallet(customerID) { wallet in
                OrderPosting.applyReturn(
                    input, units: units, to: &record, wallet: &wallet, membership: &membership,
                    engine: batch.membershipEngine, at: cancellation.at, now: batch.now)
            }
            try await batch.withMembership(customerID) { $0 = membership }
            returned.requestHash = input.fingerprint(orderID: orderID)
            batch.updateOrder(record)
            batch.addReturn(returned)
            records[orderID] = record
            report.returnsRecorded += 1
            report.pointsReversed += returned.pointsReversed
        }
    }

    /// The customer's orders from earlier runs, read once per run.
    private func loadHistory(_ customerID: String, _ batch: OrderBatch) async throws {
        guard loaded.insert(customerID).inserted else { return }
        let stored = try await batch.session.orders(customerID: customerID, limit: 1_000_000)
        var ids: [String] = []
        for record in stored.reversed() where records[record.orderID] == nil {
            records[record.orderID] = record
            ids.append(record.orderID)
        }
        byCustomer[customerID] = ids + (byCustomer[customerID] ?? [])
    }
}

/// An order of the file validated against the program, with its idempotency fingerprint.
struct CheckedOrder: Sendable {
    let order: OrderInput
    let fingerprint: String
}

/// The orders of a batch validated and fingerprinted on all cores before the batch's transaction: both are pure,
/// and together they were a tenth of an import's time.
struct CheckedOrders: @unchecked Sendable {
    /// Per item: the checked order, why it is invalid, or nil for a cancellation.
    private(set) var results: [Result<CheckedOrder, any Error>?]

    init(_ items: [ImportItem], settings: ProgramSettings) {
        var results = [Result<CheckedOrder, any Error>?](repeating: nil, count: items.count)
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / 1_000))
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                for index in stride(from: slice, to: items.count, by: slices) {
                    guard case .order(let input, _) = items[index] else { continue }
                    output[index] = Result {
                        let order = try input.validated(for: settings)
                        return CheckedOrder(order: order, fingerprint: order.fingerprint)
                    }
                }
            }
        }
        self.results = results
    }
}
