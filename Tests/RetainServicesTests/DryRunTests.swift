import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct DryRunTests {
    @Test func aChangedProgramIsReplayedOverTheLastDaysWithoutWritingAnything() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let bob = try await stack.customer(email: "bob@example.com")
            let mug = [
                OrderLine(sku: "MUG", quantity: 2, unitPrice: 1_000),
                OrderLine(sku: "TEA", quantity: 1, unitPrice: 500),
            ]
            try await stack.record(stack.order("old", CustomerReference(customerID: ann), total: 10_000))
            stack.advance(days: 40)
            try await stack.record(stack.order("a-1", CustomerReference(customerID: ann), lines: mug))
            try await stack.record(stack.order("b-1", CustomerReference(customerID: bob), total: 3_000))
            let ledgerBefore = try await stack.entries(ann).count

            let double = EarningRule(
                id: "double-mugs", name: "Double points on mugs", kind: .multiplier,
                conditions: .init(skus: ["MUG"]), factor: Hundredths(200))
            let card = StampCard(
                id: "mug", name: "Mugs", stamps: 5, per: .item, conditions: .init(skus: ["MUG"]),
                reward: .init(points: 100))
            let definition = ProgramDefinition(
                rules: [onePerEuro, double], configuration: LoyaltyConfiguration(stampCards: [card]))
            let report = try await stack.service.dryRun(program: stack.program, definition, days: 30)
            #expect(report.orders == 2 && report.customers == 2)
            #expect(report.pointsCurrent == 25 + 30 && report.pointsProposed == 45 + 30)
            #expect(report.ordersChanged == 1 && report.customersChanged == 1)
            #expect(report.biggestChanges.map(\.orderID) == ["a-1"])
            #expect(report.rules.map(\.ruleID) == ["base"])
            #expect(report.stampCards.map(\.cardID) == ["mug"])
            #expect(report.stampCards.first?.stamps == 2 && report.stampCards.first?.orders == 1)
            #expect(try await stack.entries(ann).count == ledgerBefore)
            #expect(try await stack.service.rules(program: stack.program).map(\.id) == ["base"])

            var bad = definition
            bad.rules[1].factor = Hundredths(50)
            let error = await caught { _ = try await stack.service.dryRun(program: stack.program, bad, days: 30) }
            #expect(error.invalidFields == ["rules[1].factor"])
        }
    }
}
