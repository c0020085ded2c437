import Foundation
import RetainAnalytics
import RetainCore
import RetainServices
import Testing

/// The program's orders as the analytics read them, and the analytics kept between computations.
@Suite("purchase log and live analytics")
struct PurchaseLogTests {
    /// 2026-01-01T00:00:00Z + `days` days + `hours` hours.
    static func at(days: Double, hours: Double = 0) -> Date {
        TestStack.start.addingTimeInterval(days * TestStack.day + hours * 3_600)
    }

    @Test(
        "one purchase per matched order, on its local day, net of returns; held, fully returned and other programs' orders left out"
    )
    func purchaseLog() async throws {
        try await withStack { stack in
            try await stack.configure {
                $0.timeZone = "America/New_York"
                $0.unknownCustomer = .hold
            }
            stack.advance(days: 60)  // the orders lie in the past
            let ann = try await stack.customer(email: "ann@example.com")
            let bob = try await stack.customer(email: "bob@example.com")
            // 03:00 UTC on 1 January is still 31 December in New York.
            try await stack.record(
                stack.order(
                    "o-1", CustomerReference(customerID: ann), total: 1_000, placedAt: Self.at(days: 0, hours: 3)))
            try await stack.record(
                stack.order(
                    "o-2", CustomerReference(customerID: ann), total: 2_550, placedAt: Self.at(days: 9, hours: 12)))
            try await stack.returnOrder("o-2", ReturnInput(returnID: "r-1", amount: 550))
            try await stack.record(
                stack.order(
                    "o-3", CustomerReference(customerID: bob), total: 4_000, placedAt: Self.at(days: 4, hours: 12)))
            try await stack.returnOrder("o-3", ReturnInput(returnID: "r-2", whole: true))
            try await stack.record(
                stack.order(
                    "o-4", CustomerReference(customerID: bob), total: 1_200, placedAt: Self.at(days: 31, hours: 12)))
            let held = try await stack.record(
                stack.order(
                    "o-5", CustomerReference(email: "walk-in@example.com"), total: 9_900, placedAt: Self.at(days: 2)))
            #expect(held.status == .unmatched)
            _ = try await stack.administration.createProgram(
                id: "other", name: "Other", settings: ProgramSettings(currency: TestStack.eur))
            let carl = try await stack.customer(email: "carl@example.com", program: "other")
            try await stack.record(
                stack.order("o-1", CustomerReference(customerID: carl), total: 7_700, placedAt: Self.at(days: 1)),
                program: "other")

            let (log, counts) = try await stack.service.purchaseLog(program: stack.program)
            #expect(
                counts
                    == PurchaseLogCounts(
                        orders: 5, unmatched: 1, fullyReturned: 1, partlyReturned: 1, purchases: 3, customers: 2))
            let purchases = try #require(log)
            var rows: [String: [(day: String, amount: Double)]] = [:]
            for customer in 0..<purchases.customerCount {
                for index in purchases.offsets[customer]..<purchases.offsets[customer + 1] {
                    rows[purchases.customerID(customer), default: []].append(
                        (CivilDay.text(Int(purchases.day[index])), TransactionLog.units(purchases.amount[index])))
                }
            }
            #expect(rows[ann]?.map(\.day) == ["2025-12-31", "2026-01-10"])
            #expect(rows[ann]?.map(\.amount) == [10.00, 20.00])
            #expect(rows[bob]?.map(\.day) == ["2026-02-01"])
            #expect(rows[bob]?.map(\.amount) == [12.00])
            #expect(rows[carl] == nil)
        }
    }

    @Test("a program without orders has no log, and counts say so")
    func emptyProgram() async throws {
        try await withStack { stack in
            let (log, counts) = try await stack.service.purchaseLog(program: stack.program)
            #expect(log == nil)
            #expect(counts == PurchaseLogCounts())
        }
    }

    @Test("the kept result serves until a refresh, which recomputes only when orders or returns changed")
    func cachedUntilChanged() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(
                stack.order("o-1", CustomerReference(customerID: ann), total: 1_000, placedAt: Self.at(days: 0)))
            let analytics = LiveAnalytics(service: stack.service)
            #expect(await analytics.cached(program: stack.program) == nil)
            let first = try await analytics.snapshot(program: stack.program)
            #expect(first.computedAt == stack.now && first.purchases.purchases == 1)

            stack.advance(days: 1)
            try await stack.record(
                stack.order("o-2", CustomerReference(customerID: ann), total: 3_000, placedAt: Self.at(days: 1)))
            #expect(
                try await analytics.snapshot(program: stack.program).computedAt == first.computedAt,
                "kept, not recomputed")

            let second = try await analytics.refresh(program: stack.program)
            #expect(second.computedAt == stack.now && second.purchases.purchases == 2)
            let customer = try #require(second.customer(ann))
            #expect(customer.transactions == 2 && customer.frequency == 1 && customer.recency == 1.0 / 7)
            #expect(customer.monetary == 30)

            stack.advance(days: 1)
            #expect(
                try await analytics.refresh(program: stack.program).computedAt == second.computedAt, "nothing changed")
            try await stack.returnOrder("o-2", ReturnInput(returnID: "r-1", amount: 1_000))
            let third = try await analytics.refresh(program: stack.program)
            #expect(third.computedAt == stack.now, "a return changes the data")
            #expect(third.customer(ann)?.monetary == 20)
            stack.advance(days: 1)
            #expect(try await analytics.refresh(program: stack.program, force: true).computedAt == stack.now)
        }
    }
}
