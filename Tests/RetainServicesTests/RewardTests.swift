import Foundation
import RetainCore
import RetainServices
import Testing

/// A mug for 300 points (2 in stock, one per customer), 5.00 off for Gold only, and a free coffee that a stamp
/// card gives.
let catalogue = [
    Reward(id: "mug", name: "Retain mug", kind: .freeProduct, points: 300, sku: "MUG", stock: 2, perCustomer: 1),
    Reward(id: "five-off", name: "5.00 off", kind: .moneyOff, points: 1_000, value: 500, tiers: ["gold"]),
    Reward(id: "coffee", name: "A free coffee", kind: .freeProduct, points: 0, sku: "COFFEE", validDays: 30),
]

@Suite struct RewardTests {
    func configure(_ stack: TestStack) async throws {
        let ladder = TierLadder(
            qualification: .init(metric: .spend, window: .lifetime),
            tiers: [
                .init(id: "member", name: "Member", threshold: 0), .init(id: "gold", name: "Gold", threshold: 100_000),
            ])
        let card = StampCard(
            id: "coffee-card", name: "Every 3rd visit a coffee", stamps: 3, reward: .init(rewardID: "coffee"))
        _ = try await stack.service.saveConfiguration(
            program: stack.program, LoyaltyConfiguration(tiers: ladder, stampCards: [card], rewards: catalogue),
            actor: "tests")
    }

    func redeem(_ stack: TestStack, _ customer: String, _ reward: String, key: String = UUID().uuidString)
        async throws -> RewardRedemption
    {
        try await stack.service.redeemReward(
            program: stack.program, customerID: customer, RewardRedemptionRequest(rewardID: reward), idempotencyKey: key
        )
    }

    @Test func redeemingIssuesACodeOnceAndStockLimitsAndPointsHold() async throws {
        try await withStack { stack in
            try await configure(stack)
            let ann = try await stack.customer(email: "ann@example.com")
            let poor = await caught { _ = try await redeem(stack, ann, "mug") }
            #expect(poor.refusalCode == "insufficient_points")
            try await stack.grant(1_000, to: ann)

            let first = try await redeem(stack, ann, "mug", key: "k-1")
            #expect(
                first.reward.code.wholeMatch(of: /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/)
                    != nil)
            #expect(first.reward.status == .issued && first.wallet.balance == 700)
            #expect(try await redeem(stack, ann, "mug", key: "k-1") == first)
            #expect(try await stack.checkBalance(ann) == 700)
            #expect(await caught { _ = try await redeem(stack, ann, "mug") }.refusalCode == "reward_limit_reached")
            #expect(await caught { _ = try await redeem(stack, ann, "five-off") }.refusalCode == "reward_tier_only")
            #expect(await caught { _ = try await redeem(stack, ann, "tea") }.invalidFields == ["reward_id"])

            let bob = try await stack.customer(email: "bob@example.com")
            let cy = try await stack.customer(email: "cy@example.com")
            try await stack.grant(300, to: bob)
            try await stack.grant(300, to: cy)
            let bobs = try await redeem(stack, bob, "mug")
            #expect(await caught { _ = try await redeem(stack, cy, "mug") }.refusalCode == "reward_out_of_stock")
            #expect(try await stack.service.rewardCatalogue(program: stack.program).rewards.first?.stockLeft == 0)

            // Cancelling gives the points back and the stock with them.
            let cancelled = try await stack.service.cancelReward(program: stack.program, code: bobs.reward.code)
            #expect(cancelled.status == .cancelled)
            #expect(try await stack.service.cancelReward(program: stack.program, code: bobs.reward.code) == cancelled)
            #expect(try await stack.checkBalance(bob) == 300)
            _ = try await redeem(stack, cy, "mug")
            #expect(try await stack.checkBalance(cy) == 0)

            // At the till: a code is used once; typed loosely it still reads; another order is a conflict.
            let typed = first.reward.code.replacingOccurrences(of: "-", with: "").lowercased()
            let used = try await stack.service.useReward(
                program: stack.program, code: typed, RewardUseRequest(orderID: "till-1"))
            #expect(used.status == .used && used.orderID == "till-1")
            #expect(
                try await stack.service.useReward(
                    program: stack.program, code: first.reward.code, RewardUseRequest(orderID: "till-1")) == used)
            let twice = await caught {
                _ = try await stack.service.useReward(
                    program: stack.program, code: first.reward.code, RewardUseRequest(orderID: "till-2"))
            }
            #expect(twice.isConflict)
            #expect(
                await caught {
                    _ = try await stack.service.cancelReward(program: stack.program, code: first.reward.code)
                }
                .refusalCode == "reward_used")
            let unknown = await caught {
                _ = try await stack.service.rewardByCode(program: stack.program, code: "0000-0000-0000")
            }
            #expect(unknown as? DomainError == .notFound(what: "reward code", id: "0000-0000-0000"))
        }
    }

    @Test func aFullStampCardIssuesAFreeRewardThatExpiresIfUnused() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            try await configure(stack)
            let dan = try await stack.customer(email: "dan@example.com")
            for index in 1...3 {
                try await stack.record(stack.order("v-\(index)", CustomerReference(customerID: dan), total: 1_000))
                stack.advance(days: 1)
            }
            let rewards = try await stack.service.rewardInstances(program: stack.program, customerID: dan).rewards
            #expect(rewards.map(\.rewardID) == ["coffee"])
            #expect(rewards.first?.points == 0 && rewards.first?.source == "stamp_card:coffee-card")
            #expect(try await stack.checkBalance(dan) == 30)

            stack.advance(days: 31)
            let code = try #require(rewards.first?.code)
            #expect(try await stack.service.rewardByCode(program: stack.program, code: code).status == .expired)
            let late = await caught {
                _ = try await stack.service.useReward(
                    program: stack.program, code: code, RewardUseRequest(orderID: "o"))
            }
            #expect(late.refusalCode == "reward_expired")
            #expect(try await stack.service.expirePoints(program: stack.program).rewardsExpired == 1)
            #expect(try await stack.service.expirePoints(program: stack.program).rewardsExpired == 0)
        }
    }

    @Test func concurrentRedemptionsNeverIssueMoreThanTheStock() async throws {
        try await withStack { stack in
            try await configure(stack)
            var customers: [String] = []
            for index in 0..<12 {
                let id = try await stack.customer(email: "c\(index)@example.com")
                try await stack.grant(300, to: id)
                customers.append(id)
            }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for customer in customers {
                    group.addTask { (try? await redeem(stack, customer, "mug")) != nil }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 2)
            let catalogue = try await stack.service.rewardCatalogue(program: stack.program)
            #expect(catalogue.rewards.first?.issued == 2)
            var total: Int64 = 0
            for customer in customers { total += try await stack.checkBalance(customer) }
            #expect(total == 12 * 300 - 2 * 300)
        }
    }
}
