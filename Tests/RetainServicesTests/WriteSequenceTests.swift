import Foundation
import RetainCore
import RetainServices
import RetainStore
import SQLKit
import Synchronization
import Testing

/// A `WriteSequence` sends its transactions without waiting on SQLite and lets the job keep state across them; that
/// is sound only while nothing else writes. These tests write from another connection in the middle of a sequence
/// and of an import: the transactions sent after that write are rolled back and run again on fresh state.
@Suite struct WriteSequenceTests {
    @Test func aTransactionSentAfterAnotherConnectionWroteIsRolledBackWithEveryOneAfterIt() async throws {
        try await withStack { stack in
            try await withOtherConnection(stack) { other in
                let program = stack.program
                @Sendable func customer(_ id: String) -> Customer {
                    Customer(id: id, programID: program, createdAt: stack.now, updatedAt: stack.now)
                }
                let keepsState = try await stack.store.writeSequence(program: program) { sequence in
                    let (_, first) = try await sequence.transaction { writes, _ in
                        try await writes.insertCustomers([customer("cus_a")])
                    }
                    try await first.wait()
                    _ = try await other.store.write(program: program) { session in
                        try await session.insertCustomers([customer("cus_b")])
                    }
                    let (_, second) = try await sequence.transaction { writes, _ in
                        try await writes.insertCustomers([customer("cus_c")])
                    }
                    // The third finds out at once if the second already failed, or else when it commits.
                    let third = await caught {
                        let (_, third) = try await sequence.transaction { writes, _ in
                            try await writes.insertCustomers([customer("cus_d")])
                        }
                        try await third.wait()
                    }
                    let failures = [await caught { try await second.wait() }, third]
                    if sequence.keepsState {
                        #expect(failures.allSatisfy { $0 is WriteSequenceInterrupted }, "\(failures)")
                    } else {
                        #expect(failures.allSatisfy { $0 == nil }, "\(failures)")
                    }
                    // The next transaction starts afresh: it reads what the other connection wrote.
                    let (seen, fourth) = try await sequence.transaction { writes, reads in
                        try await writes.insertCustomers([customer("cus_e")])
                        return try await reads.customer(id: "cus_b") != nil
                    }
                    try await fourth.wait()
                    #expect(seen)
                    return sequence.keepsState
                }
                let stored = try await stack.store.read(program: program) { session in
                    try await ["cus_a", "cus_b", "cus_c", "cus_d", "cus_e"].asyncFilter {
                        try await session.customer(id: $0) != nil
                    }
                }
                #expect(
                    stored
                        == (keepsState ? ["cus_a", "cus_b", "cus_e"] : ["cus_a", "cus_b", "cus_c", "cus_d", "cus_e"]))
                #expect(keepsState == (stack.backend == .sqlite))
                if stack.backend == .sqlite {
                    // The sequence checkpointed in the background; the writer checkpoints itself again after it.
                    let setting = try await stack.provider.withWriteTransaction { database in
                        try await database.raw("PRAGMA wal_autocheckpoint").first()?
                            .decode(column: "wal_autocheckpoint", as: Int.self)
                    }
                    #expect(setting == 1_000)
                }
            }
        }
    }

    /// Eight customers with five orders each, a week apart, in batches of four, points expiring after ten days: the
    /// other connection spends points of the first customer after the first batch, and that customer's third order
    /// writes off what is left of the first. A batch that kept the customer's wallet from before the spending would
    /// write off the whole first award, and the ledger would no longer add up to the lots.
    @Test func anImportInterruptedByAnotherConnectionEndsWithEveryWalletAddingUp() async throws {
        try await withStack(settings: ExpiryTests.expiringSettings(days: 10), rules: [onePerEuro]) { stack in
            try await withOtherConnection(stack) { other in
                let program = stack.program
                let start = stack.now.addingTimeInterval(-TestStack.day)
                var items: [ImportItem] = []
                for week in 0..<5 {
                    for customer in 0..<8 {
                        let order = OrderInput(
                            orderID: "o\(week)-\(customer)", customer: CustomerReference(externalID: "c\(customer)"),
                            placedAt: start.addingTimeInterval(Double(week * 7 * 86_400 + customer * 60)),
                            currency: "EUR",
                            lines: [OrderLine(sku: "sku\(customer)", quantity: 2, unitPrice: 1_000 + Int64(week))])
                        items.append(.order(order, firstLine: items.count + 2))
                    }
                }
                items.append(
                    .cancellation(
                        ImportCancellation(
                            id: "Co0-0", customer: CustomerReference(externalID: "c0"),
                            at: start.addingTimeInterval(30 * 86_400), lines: [(sku: "sku0", quantity: 2, line: 99)])))
                let spent = Mutex(false)
                var importer = OrderImporter(service: stack.service)
                importer.batchSize = 4
                let report = try await importer.run(program: program, items: items, report: ImportReport()) {
                    done, _ in
                    guard done >= 4, !spent.withLock({ $0 }) else { return }
                    spent.withLock { $0 = true }
                    do {
                        let customer = try await other.store.read(program: program) {
                            try await $0.findCustomer(.externalID("c0"))
                        }
                        _ = try await other.service.redeem(
                            program: program, customerID: customer!.id, RedemptionRequest(points: 7),
                            idempotencyKey: "spend")
                    } catch {
                        Issue.record("the other connection's redemption failed: \(error)")
                    }
                }
                #expect(spent.withLock { $0 })
                #expect(report.ordersRecorded == 40)
                #expect(report.returnsRecorded == 1)
                #expect(report.customersCreated == 8)
                let customers = try await stack.store.read(program: program) { session in
                    try await (0..<8).asyncMap { try await session.findCustomer(.externalID("c\($0)"))!.id }
                }
                for id in customers { try await stack.checkBalance(id) }
                let first = try await stack.entries(customers[0]).map(\.kind)
                #expect(first.filter { $0 == .earn }.count == 5)
                #expect(first.filter { $0 == .redeem }.count == 1)
                #expect(first.filter { $0 == .reverse }.count == 1)
                #expect(try await stack.entries(customers[0]).first { $0.kind == .expire }?.points == -13)
                // Each order was recorded once, however often its batch ran.
                for id in customers.dropFirst() {
                    #expect(try await stack.entries(id).filter { $0.kind == .earn }.count == 5)
                }
            }
        }
    }
}

/// The stack's database through a store and service of their own: on SQLite a second connection to the same file
/// (the stack's own store is held by the sequence), on PostgreSQL the stack's pool.
private struct OtherConnection: Sendable {
    let store: any LoyaltyStore
    let service: LoyaltyService
}

private func withOtherConnection(_ stack: TestStack, _ body: (OtherConnection) async throws -> Void) async throws {
    guard let path = (stack.provider as? SQLiteProvider)?.path else {
        return try await body(OtherConnection(store: stack.store, service: stack.service))
    }
    let provider = try await SQLiteProvider.open(path: path, readers: 1)
    do {
        let store = SQLLoyaltyStore(provider: provider)
        let environment = ServiceEnvironment(store: store, clock: stack.clock)
        try await body(OtherConnection(store: store, service: LoyaltyService(environment: environment)))
        try await provider.close()
    } catch {
        try? await provider.close()
        throw error
    }
}

extension Sequence {
    fileprivate func asyncFilter(_ keep: (Element) async throws -> Bool) async rethrows -> [Element] {
        var kept: [Element] = []
        for element in self where try await keep(element) { kept.append(element) }
        return kept
    }

    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var mapped: [T] = []
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
