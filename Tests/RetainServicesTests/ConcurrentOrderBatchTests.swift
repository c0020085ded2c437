import Foundation
import RetainCore
import RetainServices
import RetainStore
import Testing

/// Order batches run several at once on PostgreSQL with row locks only (`WriteIsolation.customerLocks`), and read
/// the program's rules through the store's cache of decoded versions. These tests race them against each other,
/// against retries, against the expiry job, and against rule changes made by another process.
@Suite struct ConcurrentOrderBatchTests {
    @Test func ordersRacingEachOtherRetriesAndTheExpiryJobKeepEveryWalletWhole() async throws {
        try await withStack(settings: ExpiryTests.expiringSettings(days: 30), rules: [onePerEuro]) { stack in
            // Four known customers, each with three orders on day 0 whose points expire on day 30.
            var known: [String] = []
            for index in 0..<4 {
                let id = try await stack.customer(email: "known\(index)@example.com")
                for order in 0..<3 {
                    try await stack.record(
                        stack.order("old-\(index)-\(order)", CustomerReference(customerID: id), total: 2_000))
                }
                known.append(id)
            }
            stack.advance(days: 40)
            // 15 orders per known customer (by e-mail) and 5 per new one; every fifth order is sent twice.
            var orders: [OrderInput] = []
            for index in 0..<4 {
                for order in 0..<15 {
                    orders.append(
                        stack.order(
                            "k-\(index)-\(order)", CustomerReference(email: "known\(index)@example.com"),
                            total: 1_000))
                }
            }
            for index in 0..<3 {
                for order in 0..<5 {
                    orders.append(
                        stack.order(
                            "n-\(index)-\(order)", CustomerReference(email: "new\(index)@example.com"), total: 1_000))
                }
            }
            let sent = orders + orders.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
            let service = stack.service
            let program = stack.program
            let (answers, reports) = try await withThrowingTaskGroup(of: ([OrderResult], [ExpiryReport]).self) {
                group in
                for order in sent.shuffled() {
                    group.addTask { ([try await service.recordOrder(program: program, order)], []) }
                }
                for _ in 0..<2 {
                    group.addTask { ([], [try await service.expirePoints(program: program)]) }
                }
                var answers: [OrderResult] = []
                var reports: [ExpiryReport] = []
                for try await (some, more) in group {
                    answers += some
                    reports += more
                }
                return (answers, reports)
            }

            #expect(answers.count == sent.count)
            let byOrder = Dictionary(grouping: answers, by: \.orderID)
            #expect(byOrder.count == orders.count)
            for (id, same) in byOrder {
                #expect(Set(same.map(\.pointsEarned)).count == 1 && Set(same.map(\.customerID)).count == 1, "\(id)")
            }
            #expect(answers.allSatisfy { $0.pointsEarned == 10 })
            // Each old lot expired exactly once, by the job or by an order's lazy expiry, never by both.
            for customer in known {
                #expect(try await stack.checkBalance(customer) == 150)
                let expired = try await stack.entries(customer).filter { $0.kind == .expire }
                #expect(expired.map(\.points).sorted() == [-20, -20, -20])
            }
            #expect(reports.reduce(0) { $0 + $1.points } <= 4 * 60)
            let customers = try await service.listCustomers(program: program, query: CustomerQuery(limit: 100))
            #expect(customers.count == 4 + 3)
            for index in 0..<3 {
                let created = try #require(customers.first { $0.email == "new\(index)@example.com" })
                #expect(try await stack.checkBalance(created.id) == 50)
                #expect(
                    Set(answers.filter { $0.customerCreated && $0.customerID == created.id }.map(\.orderID)).count == 1)
            }
        }
    }

    @Test func aRuleChangeByAnotherProcessReachesTheNextOrderBatch() async throws {
        let doubled = EarningRule(
            id: "base", name: "2 per 1.00", kind: .pointsPerAmount, priority: 10, points: 2, perAmount: 100)
        try await withStack(rules: [onePerEuro]) { stack in
            // Another process on the same database: its own store, and so its own cache of program versions.
            let other = LoyaltyService(
                environment: ServiceEnvironment(store: SQLLoyaltyStore(provider: stack.provider), clock: stack.clock))
            let ann = try await stack.customer(email: "ann@example.com")
            let before = try await other.recordOrder(
                program: stack.program, stack.order("o-1", CustomerReference(customerID: ann), total: 1_000))
            #expect(before.pointsEarned == 10)
            try await stack.setRules([doubled])
            let after = try await other.recordOrder(
                program: stack.program, stack.order("o-2", CustomerReference(customerID: ann), total: 1_000))
            #expect(after.pointsEarned == 20)
            try await stack.setRules([onePerEuro])
            let back = try await other.recordOrder(
                program: stack.program, stack.order("o-3", CustomerReference(customerID: ann), total: 1_000))
            #expect(back.pointsEarned == 10)
            // Each entry names the program version that produced it.
            let versions = try await stack.entries(ann).filter { $0.kind == .earn }.compactMap(\.programVersion)
            #expect(versions.count == 3 && Set(versions).count == 3)
        }
    }
}
