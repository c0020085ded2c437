import Foundation
import RetainCore
import RetainServices
import RetainStore
import Testing

/// `orderBatchStart` reads in one statement what an order batch would otherwise read in three (the configuration
/// in force, the orders by id, the customers by their identifiers, locked); it must read exactly what the three
/// read, lock as they lock, and fall back to them for batches too big for one statement.
@Suite struct OrderBatchStartTests {
    @Test func readsWhatTheThreeSeparateReadsRead() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com", externalID: "A-1")
            let bob = try await stack.customer(email: "bob@example.com", externalID: "B-1")
            _ = try await stack.customer(email: "cy@example.com")
            try await stack.record(stack.order("o1", CustomerReference(customerID: ann), total: 1_000))
            try await stack.record(stack.order("o2", CustomerReference(email: "bob@example.com"), total: 2_500))
            let lookups: [[CustomerLookup]] = [
                [], [.email("ann@example.com")],
                [.externalID("B-1"), .email("bob@example.com"), .id(ann), .email("nobody@example.com")],
                [.phone("+4712345678"), .externalID("none")],
            ]
            let orderIDs: [[String]] = [[], ["o1"], ["o2", "o3", "o1"], ["missing"]]
            for lookup in lookups {
                for ids in orderIDs {
                    try await expectSameReads(stack, orderIDs: ids, lookups: lookup)
                }
            }
            // Batches too big for one statement take the three reads one by one, with the same result.
            let many = (0..<1_200).map { "x\($0)" } + ["o2"]
            try await expectSameReads(stack, orderIDs: many, lookups: [.id(bob), .email("ann@example.com")])
        }
    }

    @Test func aProgramWithoutSavedVersionsHasNoConfigurationInForce() async throws {
        try await withStack { stack in
            let start = try await stack.store.write(program: stack.program, isolation: .customerLocks) {
                try await $0.orderBatchStart(orderIDs: ["o1"], lookups: [.email("ann@example.com")])
            }
            #expect(start.configuration == nil && start.orders.isEmpty && start.customers.isEmpty)
        }
    }

    /// A second transaction that locks a customer the first found with `orderBatchStart` waits for the first to
    /// commit, and then sees what it wrote.
    @Test func theCustomersFoundStayLockedUntilCommit() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let store = stack.store
            let program = stack.program
            let locked = Flag()
            let committed = Flag()
            async let first: Void = store.write(program: program, isolation: .customerLocks) { session in
                let start = try await session.orderBatchStart(orderIDs: [], lookups: [.email("ann@example.com")])
                #expect(start.customers.map(\.id) == [ann])
                await locked.set()
                try await Task.sleep(for: .milliseconds(400))
                await committed.set()
            }
            while !(await locked.value) { try await Task.sleep(for: .milliseconds(5)) }
            let sawCommit = try await store.write(program: program, isolation: .customerLocks) { session in
                let found = try await session.findAndLockCustomers([.id(ann)])
                #expect(found.map(\.id) == [ann])
                return await committed.value
            }
            try await first
            #expect(sawCommit, "the second transaction locked the customer before the first committed")
        }
    }

    private func expectSameReads(_ stack: TestStack, orderIDs: [String], lookups: [CustomerLookup]) async throws {
        try await stack.store.write(program: stack.program, isolation: .customerLocks) { session in
            let start = try await session.orderBatchStart(orderIDs: orderIDs, lookups: lookups)
            let configuration = try await session.configurationInForce()
            let orders = try await session.orders(ids: orderIDs)
            let customers = try await session.findAndLockCustomers(lookups)
            let context = "\(stack.backend): \(orderIDs.prefix(3)) \(lookups)"
            #expect(start.configuration?.version == configuration?.version, "\(context)")
            #expect(start.configuration?.rules == configuration?.rules, "\(context)")
            #expect(start.configuration != nil, "\(context): the rules saved a version")
            #expect(summary(start.orders) == summary(orders), "\(context)")
            #expect(start.orders.allSatisfy { $0.response != nil }, "\(context): stored answers come back")
            #expect(start.customers == customers, "\(context)")
        }
    }
}

/// Each order's id, fingerprint and customer, by id.
private func summary(_ orders: [OrderRecord]) -> [String] {
    orders.map { "\($0.orderID) \($0.requestHash) \($0.customerID ?? "-")" }.sorted()
}

private actor Flag {
    private(set) var value = false
    func set() { value = true }
}
