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
    ///   - progress: called after each committed batch with (items done, items total).
    public func run(
        program: String, items unsorted: [ImportItem], report initial: ImportReport,
        progress: @Sendable (Int, Int) async -> Void = { _, _ in }
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
        let remembersOrders = items.contains { if case .cancellation = $0 { true } else { false } }
        let batchSize = max(1, batchSize)
        // Each batch's orders are checked (pure work on all cores) while the batch before is written.
        @Sendable func checked(from start: Int) -> Task<CheckedChunk, Never>? {
            guard start < items.count else { return nil }
            let slice = Array(items[start..<min(start + batchSize, items.count)])
            return Task { await Offloaded.run { Array(zip(slice, CheckedOrders(slice, settings: settings).results)) } }
        }
        return try await environment.store.writeSequence(program: program) { sequence in
            var checkedUpTo = 0
            var nextCheck = checked(from: 0)
            // Batches sent and not yet known to be committed, oldest first, with the report after each.
            var sent: [(chunk: CheckedChunk, after: ImportReport, commit: TransactionCommit)] = []
            var committed = initial
            var report = initial
            var history = OrderHistory(remembersOrders: remembersOrders)
            var again: [CheckedChunk] = []
            var kept: OrderBatch?
            var done = 0
            while true {
                var chunk: CheckedChunk? = again.isEmpty ? nil : again.removeFirst()
                if chunk == nil, let check = nextCheck {
                    chunk = await check.value
                    checkedUpTo += chunk?.count ?? 0
                    nextCheck = checked(from: checkedUpTo)
                }
                var interrupted = false
                if let chunk {
                    let before = report
                    let carried = kept
                    let history = history
                    do {
                        let (after, commit) = try await sequence.transaction { writes, reads in
                            let now = environment.clock.now()
                            let batch =
                                carried
                                ?? OrderBatch(
                                    session: writes, service: service, rules: rules, configuration: configuration,
                                    settings: settings, now: now, storeResponses: false)
                            batch.begin(writes: writes, reads: reads, now: now)
                            var report = before
                            try await history.importChunk(chunk, into: batch, report: &report)
                            try await batch.flush()
                            return ImportBatchResult(report: report, batch: batch)
                        }
                        report = after.report
                        // A batch that knows too many orders is let go once everything sent is committed: a new
                        // one reads from a snapshot that then holds all it wrote.
                        let full = after.batch.knownOrders > Self.keptOrdersLimit
                        kept = sequence.keepsState && !full ? after.batch : nil
                        sent.append((chunk, after.report, commit))
                        if !full && !(again.isEmpty && nextCheck == nil) && sent.count < 2 { continue }
                    } catch is WriteSequenceInterrupted {
                        // A batch sent before this one found that another connection wrote: this one runs again
                        // after those of them that were rolled back.
                        again.insert(chunk, at: 0)
                        interrupted = true
                    }
                }
                // Wait for all but the newest batch (SQLite writes it while the next one is computed), or for all
                // at the end, when the kept batch was let go, or after an interruption.
                let waitAll = chunk == nil || kept == nil || interrupted
                while sent.count > (waitAll ? 0 : 1) {
                    let first = sent.removeFirst()
                    do {
                        try await first.commit.wait()
                        committed = first.after
                        done += first.chunk.count
                        await progress(done, items.count)
                    } catch is WriteSequenceInterrupted {
                        again = [first.chunk] + sent.map(\.chunk) + again
                        sent = []
                        interrupted = true
                    }
                }
                if interrupted {
                    // Another connection wrote: forget what was kept, and go on from the last committed batch (the
                    // history of the customers' orders is read again from the database as they come up).
                    report = committed
                    history = OrderHistory(remembersOrders: remembersOrders)
                    kept = nil
                }
                if chunk == nil && again.isEmpty {
                    // What the batch and the history know (every order of the run) is freed beside what follows.
                    BackgroundRelease.release((kept.take(), consume history))
                    return committed
                }
            }
        }
    }

    /// Orders a batch carried across transactions may know before it is let go (its memory).
    static let keptOrdersLimit = 50_000
}

/// A batch's items, each with its checked order (nil for a cancellation).
typealias CheckedChunk = [(ImportItem, Result<CheckedOrder, any Error>?)]

/// One transaction's outcome: the report after it, and the batch to carry into the next.
private struct ImportBatchResult: Sendable {
    let report: ImportReport
    let batch: OrderBatch
}

/// The orders of this import run per customer, oldest first, for matching cancellations; kept across batches
/// (used by one task at a time, hence `@unchecked Sendable`).
final class OrderHistory: @unchecked Sendable {
    let remembersOrders: Bool

    init(remembersOrders: Bool = true) {
        self.remembersOrders = remembersOrders
    }

    private var byCustomer: [String: [String]] = [:]
    private var records: [String: OrderRecord] = [:]
    private var loaded: Set<String> = []
    /// Cancellations recorded by this run: a batch's snapshot reads may not see the batches still being written (a
    /// file's parser gives each cancellation id once; this guards other sources of items).
    private var cancellationsRecorded: Set<String> = []

    /// - Parameter chunk: items in time order, each with its checked order (nil for a cancellation).
    func importChunk(_ chunk: CheckedChunk, into batch: OrderBatch, report: inout ImportReport) async throws {
        var valid: [String: CheckedOrder] = [:]
        for case (.order(let input, let line), let checked?) in chunk {
            switch checked {
            case .success(let order): valid[input.orderID] = order
            case .failure(let error):
                report.skip(.invalidOrder, line: line, rows: max(1, input.lines.count))
                if report.notes.count < 10 { report.notes.append("line \(line): \(error)") }
            }
        }
        try await batch.prefetch(valid.values.map(\.order))
        var cancellationIDs: [String] = []
        for case (.cancellation(let cancellation), _) in chunk { cancellationIDs.append(cancellation.id) }
        let importedBefore = try await batch.reads.existingReturnIDs(cancellationIDs)
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
                    cancellation,
                    importedBefore: importedBefore.contains(cancellation.id)
                        || cancellationsRecorded.contains(cancellation.id), into: batch, report: &report)
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
            report.returnsAlreadyImported += try await batch.reads.returnRecords(family: cancellation.id).count
            return
        }
        cancellationsRecorded.insert(cancellation.id)
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
        let stored = try await batch.reads.orders(customerID: customerID, limit: 1_000_000)
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
