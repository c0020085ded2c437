import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct ReturnTests {
    /// 1 point per 1.00, doubled on shoes.
    static let rules = [
        onePerEuro,
        EarningRule(
            id: "shoes2", name: "double on shoes", kind: .multiplier, conditions: .init(categories: ["shoes"]),
            factor: Hundredths(200)),
    ]

    /// Line 0: 3 × 19.99 shoes (×2) = 119.94 points; line 1: 3 × 3.33 socks = 9.99 points. The rule total is
    /// ⌊129.93⌋ = 129, split by largest remainder: line 0 gets ⌊119.08⌋ = 119, line 1 ⌊9.92⌋ = 9 plus the leftover
    /// point = 10.
    static let lines = [
        OrderLine(sku: "SHOE", category: "shoes", quantity: 3, unitPrice: 1_999),
        OrderLine(sku: "SOCK", category: "socks", quantity: 3, unitPrice: 333),
    ]

    @Test func partialReturnsTakeBackEachLinesShareAndTheLastOneTheRest() async throws {
        try await withStack(rules: Self.rules) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let order = try await stack.record(
                stack.order("o-1", CustomerReference(customerID: ann), lines: Self.lines))
            #expect(order.pointsEarned == 129)
            #expect(order.awards.map(\.linePoints) == [[119, 10]])

            // One of three shoes: ⌊119 × 1/3⌋ = 39.
            let first = try await stack.returnOrder(
                "o-1", ReturnInput(returnID: "r-1", lines: [.init(lineNumber: 0, quantity: 1)]))
            #expect(first.return.pointsReversed == 39 && first.return.pointsUnrecovered == 0)
            #expect(first.return.amount == 1_999)
            #expect(first.wallet?.balance == 90)
            // One pair of socks, named by SKU: ⌊10 × 1/3⌋ = 3.
            let second = try await stack.returnOrder(
                "o-1", ReturnInput(returnID: "r-2", lines: [.init(sku: "SOCK", quantity: 1)]))
            #expect(second.return.pointsReversed == 3)
            // Everything else: 119 − 39 + 10 − 3 = 87, so the three returns take back exactly the 129 earned.
            let last = try await stack.returnOrder("o-1", ReturnInput(returnID: "r-3", whole: true))
            #expect(last.return.pointsReversed == 87)
            #expect(first.return.pointsReversed + second.return.pointsReversed + last.return.pointsReversed == 129)
            #expect(try await stack.checkBalance(ann) == 0)

            let view = try await stack.service.order(program: stack.program, id: "o-1")
            #expect(view.status == .returned && view.pointsReversed == 129 && view.returnedAmount == 6_996)
            let reversals = try await stack.entries(ann).filter { $0.kind == .reverse }
            #expect(reversals.map(\.points) == [-39, -3, -87])
            #expect(reversals.map(\.sourceID) == ["r-1", "r-2", "r-3"])
            // Nothing is left to return.
            let more = await caught { try await stack.returnOrder("o-1", ReturnInput(returnID: "r-4", whole: true)) }
            #expect(more.refusalCode == "already_returned")
        }
    }

    @Test func returningMoreThanIsLeftIsInvalidAndWritesNothing() async throws {
        try await withStack(rules: Self.rules) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), lines: Self.lines))
            try await stack.returnOrder("o-1", ReturnInput(returnID: "r-1", lines: [.init(lineNumber: 0, quantity: 2)]))
            let error = await caught {
                try await stack.returnOrder(
                    "o-1", ReturnInput(returnID: "r-2", lines: [.init(lineNumber: 0, quantity: 2)]))
            }
            #expect(error.invalidFields == ["lines[0].quantity"])
            let split = await caught {
                try await stack.returnOrder(
                    "o-1",
                    ReturnInput(
                        returnID: "r-3", lines: [.init(lineNumber: 0, quantity: 1), .init(sku: "SHOE", quantity: 1)]))
            }
            #expect(split.invalidFields == ["lines[1].quantity"])
            let noSuchLine = await caught {
                try await stack.returnOrder(
                    "o-1", ReturnInput(returnID: "r-4", lines: [.init(lineNumber: 5, quantity: 1)]))
            }
            #expect(noSuchLine.invalidFields == ["lines[0].line_number"])
            // Only r-1's ⌊119 × 2/3⌋ = 79 was taken.
            #expect(try await stack.checkBalance(ann) == 129 - 79)
            let view = try await stack.service.order(program: stack.program, id: "o-1")
            #expect(view.pointsReversed == 79 && view.status == .partiallyReturned)
        }
    }

    @Test func aLinelessOrderIsReturnedByAmount() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 10_050))  // 100 points
            let part = try await stack.returnOrder("o-1", ReturnInput(returnID: "r-1", amount: 2_511))
            #expect(part.return.pointsReversed == 24)  // ⌊100 × 2511 / 10050⌋
            let tooMuch = await caught {
                try await stack.returnOrder("o-1", ReturnInput(returnID: "r-2", amount: 7_540))
            }
            #expect(tooMuch.invalidFields == ["amount"])
            let rest = try await stack.returnOrder("o-1", ReturnInput(returnID: "r-3", amount: 7_539))
            #expect(rest.return.pointsReversed == 76)
            #expect(try await stack.checkBalance(ann) == 0)
        }
    }

    @Test func theSameReturnIDTwiceHasOneEffect() async throws {
        try await withStack(rules: Self.rules) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), lines: Self.lines))
            let input = ReturnInput(returnID: "r-1", lines: [.init(lineNumber: 0, quantity: 1)], reason: "too small")
            let first = try await stack.returnOrder("o-1", input)
            stack.advance(days: 1)
            let second = try await stack.returnOrder("o-1", input)
            #expect(second.return == first.return)
            #expect(try await stack.entries(ann).filter { $0.kind == .reverse }.count == 1)
            #expect(try await stack.checkBalance(ann) == 129 - 39)
            let view = try await stack.service.order(program: stack.program, id: "o-1")
            #expect(view.pointsReversed == 39)
            // The same id for another return is refused.
            let other = await caught {
                try await stack.returnOrder(
                    "o-1", ReturnInput(returnID: "r-1", lines: [.init(lineNumber: 1, quantity: 1)]))
            }
            #expect(other.isConflict)
        }
    }

    @Test func aReturnAfterThePointsWereSpentStopsAtZeroAndReportsTheRest() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 10_000))  // 100 points
            try await stack.redeem(ann, RedemptionRequest(points: 70))
            let result = try await stack.returnOrder("o-1", ReturnInput(returnID: "r-1", whole: true))
            #expect(result.return.pointsReversed == 30)
            #expect(result.return.pointsUnrecovered == 70)
            #expect(result.wallet?.balance == 0)
            #expect(try await stack.checkBalance(ann) == 0)
            let entries = try await stack.entries(ann)
            #expect(entries.map(\.points) == [100, -70, -30])
            // The order counts as fully returned: the 70 spent points are not claimed again later.
            try await stack.grant(500, to: ann)
            let view = try await stack.service.order(program: stack.program, id: "o-1")
            #expect(view.status == .returned && view.pointsReversed == 100)
            #expect(try await stack.checkBalance(ann) == 500)
        }
    }

    @Test func aReturnInsideThePendingWindowCancelsPendingPoints() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pendingDays = 14
        try await withStack(settings: settings, rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(40, to: ann)
            let order = try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 10_000))
            #expect(order.wallet?.pending == 100 && order.wallet?.available == 40)
            stack.advance(days: 3)
            let half = try await stack.returnOrder("o-1", ReturnInput(returnID: "r-1", amount: 5_000))
            #expect(half.return.pointsReversed == 50)
            #expect(half.wallet?.pending == 50 && half.wallet?.available == 40)
            stack.advance(days: 3)
            let rest = try await stack.returnOrder("o-1", ReturnInput(returnID: "r-2", whole: true))
            #expect(rest.return.pointsReversed == 50 && rest.return.pointsUnrecovered == 0)
            #expect(rest.wallet?.pending == 0 && rest.wallet?.available == 40)
            // The pending lot itself was emptied; the available adjustment was not touched.
            let lots = try await stack.openLots(ann)
            #expect(lots.count == 1 && lots.first?.remaining == 40)
            stack.advance(days: 30)
            #expect(try await stack.wallet(ann).available == 40)
            #expect(try await stack.checkBalance(ann) == 40)
        }
    }

    @Test func pendingPointsMatureAfterTheWindow() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pendingDays = 14
        try await withStack(settings: settings, rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 10_000))
            let early = await caught { try await stack.redeem(ann, RedemptionRequest(points: 100)) }
            #expect(early.refusalCode == "insufficient_points")
            stack.advance(days: 14)
            let wallet = try await stack.wallet(ann)
            #expect(wallet.available == 100 && wallet.pending == 0)
            let spent = try await stack.redeem(ann, RedemptionRequest(points: 100))
            #expect(spent.points == 100)
        }
    }

    @Test func aReturnForAnUnknownOrderIsNotFound() async throws {
        try await withStack { stack in
            let error = await caught { try await stack.returnOrder("nope", ReturnInput(returnID: "r-1", whole: true)) }
            #expect(error.isNotFound)
        }
    }
}
