import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct RedemptionTests {
    @Test func askingForMoreThanIsAvailableIsRefusedAndWritesNothing() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(300, to: ann)
            let error = await caught { try await stack.redeem(ann, RedemptionRequest(points: 301)) }
            #expect(error.refusalCode == "insufficient_points")
            #expect(try await stack.entries(ann).count == 1)
            #expect(try await stack.checkBalance(ann) == 300)
            // With allow_partial it takes what there is.
            let partial = try await stack.redeem(ann, RedemptionRequest(points: 301, allowPartial: true))
            #expect(partial.points == 300 && partial.amount == 300 && partial.wallet.balance == 0)
            #expect(try await stack.checkBalance(ann) == 0)
        }
    }

    @Test func anUnknownCustomerIsNotFound() async throws {
        try await withStack { stack in
            let error = await caught { try await stack.redeem("cus_nobody", RedemptionRequest(points: 1)) }
            #expect(error.isNotFound)
        }
    }

    @Test func theMaximumShareOfAnOrderIsEnforcedOrAppliedWithAllowPartial() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.maxRedeemSharePercent = 50
        try await withStack(settings: settings) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(5_000, to: ann)
            // 50% of a 20.00 order is 10.00 = 1000 points.
            let tooMuch = await caught {
                try await stack.redeem(ann, RedemptionRequest(points: 1_500, orderID: "o-9", orderTotal: 2_000))
            }
            #expect(tooMuch.refusalCode == "exceeds_max_share")
            let noTotal = await caught { try await stack.redeem(ann, RedemptionRequest(points: 100)) }
            #expect(noTotal.invalidFields == ["order_total"])
            #expect(try await stack.checkBalance(ann) == 5_000)

            let capped = try await stack.redeem(
                ann, RedemptionRequest(points: 1_500, orderID: "o-9", orderTotal: 2_000, allowPartial: true))
            #expect(capped.points == 1_000 && capped.amount == 1_000 && capped.orderID == "o-9")
            let within = try await stack.redeem(ann, RedemptionRequest(amount: 400, orderTotal: 2_000))
            #expect(within.points == 400 && within.amount == 400)
            #expect(try await stack.checkBalance(ann) == 3_600)
        }
    }

    @Test func pointsThatBuyLessThanAMinorUnitAreNotTaken() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pointValue = PointValue(points: 10, amount: 1)  // 10 points = 0.01 EUR
        try await withStack(settings: settings) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(100, to: ann)
            let result = try await stack.redeem(ann, RedemptionRequest(points: 15))
            #expect(result.points == 10 && result.amount == 1)
            #expect(result.wallet.balance == 90 && result.wallet.availableValue == 9)
            let byAmount = try await stack.redeem(ann, RedemptionRequest(amount: 3))
            #expect(byAmount.points == 30 && byAmount.amount == 3)
            let nothing = await caught { try await stack.redeem(ann, RedemptionRequest(points: 9)) }
            #expect(nothing.refusalCode == "nothing_to_redeem")
            #expect(try await stack.checkBalance(ann) == 60)
            #expect(try await stack.entries(ann).filter { $0.kind == .redeem }.map(\.points) == [-10, -30])
        }
    }

    @Test func theMinimumRedemptionIsEnforced() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.minRedeemPoints = 500
        try await withStack(settings: settings) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(1_000, to: ann)
            let small = await caught { try await stack.redeem(ann, RedemptionRequest(points: 499)) }
            #expect(small.refusalCode == "below_minimum")
            #expect(try await stack.redeem(ann, RedemptionRequest(points: 500)).points == 500)
        }
    }

    @Test func theSameIdempotencyKeyTwiceHasOneEffect() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(1_000, to: ann)
            let request = RedemptionRequest(points: 250, orderID: "o-1")
            let first = try await stack.redeem(ann, request, key: "k-1")
            stack.advance(days: 1)
            let second = try await stack.redeem(ann, request, key: "k-1")
            #expect(second == first)
            #expect(try await stack.checkBalance(ann) == 750)
            #expect(try await stack.entries(ann).filter { $0.kind == .redeem }.count == 1)

            let different = await caught { try await stack.redeem(ann, RedemptionRequest(points: 300), key: "k-1") }
            #expect(different.isConflict)
            let bob = try await stack.customer(email: "bob@example.com")
            try await stack.grant(1_000, to: bob)
            let otherCustomer = await caught { try await stack.redeem(bob, request, key: "k-1") }
            #expect(otherCustomer.isConflict)
            #expect(try await stack.checkBalance(ann) == 750)
            #expect(try await stack.checkBalance(bob) == 1_000)
        }
    }

    @Test func theSoonestExpiringLotsAreSpentFirst() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let never = try await stack.grant(100, to: ann)
            let late = try await stack.grant(100, to: ann, expiresAfterDays: 30)
            let soon = try await stack.grant(100, to: ann, expiresAfterDays: 10)
            let before = try await stack.wallet(ann)
            #expect(before.nextExpiries.map(\.date) == ["2026-01-11", "2026-01-31"])

            let result = try await stack.redeem(ann, RedemptionRequest(points: 150))
            #expect(result.wallet.nextExpiries.map(\.date) == ["2026-01-31"])
            #expect(result.wallet.nextExpiries.map(\.points) == [50])
            let remaining = Dictionary(
                uniqueKeysWithValues: try await stack.openLots(ann).map { ($0.id, $0.remaining) })
            #expect(remaining[try #require(soon.entry.lotID)] == nil)
            #expect(remaining[try #require(late.entry.lotID)] == 50)
            #expect(remaining[try #require(never.entry.lotID)] == 100)

            // The next redemption finishes the 30-day lot before touching the one that never expires.
            let next = try await stack.redeem(ann, RedemptionRequest(points: 80))
            #expect(next.wallet.nextExpiries.isEmpty)
            #expect(try await stack.openLots(ann).map(\.remaining) == [70])
            #expect(try await stack.checkBalance(ann) == 70)
        }
    }

    @Test func aRewardIDIsRefusedWhileThereIsNoCatalogue() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(1_000, to: ann)
            let error = await caught { try await stack.redeem(ann, RedemptionRequest(rewardID: "mug")) }
            #expect(error.refusalCode == "reward_unavailable")
            let both = await caught { try await stack.redeem(ann, RedemptionRequest(points: 10, amount: 10)) }
            #expect(both.invalidFields == ["points"])
        }
    }
}
