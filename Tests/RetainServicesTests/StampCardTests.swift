import Foundation
import RetainCore
import RetainServices
import Testing

/// Every 6th mug free: 5 stamps, one per mug, 500 points when full; a coffee card of 3 orders from 5.00 that
/// expires 30 days after its first stamp and does not restart.
let mugCard = StampCard(
    id: "mug", name: "Every 6th mug free", stamps: 5, per: .item, conditions: .init(skus: ["MUG"]),
    reward: .init(points: 500))
let coffeeCard = StampCard(
    id: "coffee", name: "3 coffees", stamps: 3, per: .order, conditions: .init(minOrderAmount: 500),
    reward: .init(points: 100), expiresAfterDays: 30, restart: false)

@Suite struct StampCardTests {
    @Test func stampsFillCardsGiveRewardsAndReturnsTakeThemBackByTheDocumentedRule() async throws {
        try await withStack { stack in
            _ = try await stack.service.saveConfiguration(
                program: stack.program, LoyaltyConfiguration(stampCards: [mugCard, coffeeCard]), actor: "tests")
            let dan = try await stack.customer(email: "dan@example.com")
            let ref = CustomerReference(customerID: dan)
            func cards() async throws -> [String: StampCardView] {
                let list = try await stack.service.stampCards(program: stack.program, customerID: dan)
                return Dictionary(uniqueKeysWithValues: list.cards.map { ($0.cardID, $0) })
            }
            func mugs(_ id: String, _ count: Int64) -> OrderInput {
                stack.order(
                    id, ref,
                    lines: [
                        OrderLine(sku: "MUG", quantity: count, unitPrice: 900),
                        OrderLine(sku: "TEA", quantity: 1, unitPrice: 300),
                    ])
            }
            #expect(try await cards()["mug"]?.stamps == 0)
            try await stack.record(mugs("m-1", 4))
            #expect(try await cards()["mug"]?.stamps == 4)
            #expect(try await cards()["coffee"]?.stamps == 1)
            stack.advance(days: 1)
            let filling = try await stack.record(mugs("m-2", 3))
            #expect(filling.pointsEarned == 0)
            var now = try await cards()
            #expect(now["mug"]?.stamps == 2 && now["mug"]?.completed == 1)
            #expect(try await stack.checkBalance(dan) == 500)
            let rewards = try await stack.entries(dan).filter { $0.sourceType == .stampCard }
            #expect(rewards.map(\.sourceID) == ["mug"])

            // Returning m-2 whole: its 2 open stamps come off, the 1 it gave the rewarded card is owed, and the
            // 500 points stay.
            try await stack.returnOrder("m-2", ReturnInput(returnID: "r-2", whole: true))
            now = try await cards()
            #expect(now["mug"]?.stamps == 0 && now["mug"]?.owed == 1 && now["mug"]?.completed == 1)
            #expect(now["coffee"]?.stamps == 1)
            #expect(try await stack.checkBalance(dan) == 500)

            // The coffee card expires 30 days after its first stamp and, once full, stays closed.
            stack.advance(days: 40)
            #expect(try await cards()["coffee"]?.stamps == 0)
            for index in 1...4 {
                stack.advance(days: 1)
                try await stack.record(stack.order("c-\(index)", ref, total: 600))
            }
            now = try await cards()
            #expect(now["coffee"]?.completed == 1 && now["coffee"]?.open == false && now["coffee"]?.stamps == 3)
            #expect(try await stack.checkBalance(dan) == 600)

            let report = try await stack.service.stampCardReport(program: stack.program)
            let mug = try #require(report.cards.first { $0.cardID == "mug" })
            #expect(mug.customers == 1 && mug.cardsCompleted == 1 && mug.openStamps[0] == 1)
        }
    }
}
