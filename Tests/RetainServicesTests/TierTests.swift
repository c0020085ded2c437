import Foundation
import RetainCore
import RetainServices
import Testing

/// Member → Silver at 500.00 (×1.25) → Gold at 1,500.00 (×1.5, 200 points once), by spend in the calendar year,
/// reviewed on 1 January with 30 days' grace, one step down at a time.
let calendarLadder = TierLadder(
    qualification: .init(metric: .spend, window: .calendarYear),
    downgrade: .init(graceDays: 30, steps: .oneStep),
    tiers: [
        .init(id: "member", name: "Member", threshold: 0),
        .init(id: "silver", name: "Silver", threshold: 50_000, benefits: .init(earnMultiplier: Hundredths(125))),
        .init(
            id: "gold", name: "Gold", threshold: 150_000,
            benefits: .init(earnMultiplier: Hundredths(150), discountPercent: Hundredths(1000), upgradeGiftPoints: 200)),
    ])

func utc(_ text: String) -> Date { RFC3339.parse(text)! }

@Suite struct TierTests {
    @Test func aYearOfOrdersAndReturnsMovesTheTierUpAtOnceAndDownOnlyAtReview() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            _ = try await stack.service.saveConfiguration(
                program: stack.program, LoyaltyConfiguration(tiers: calendarLadder), actor: "tests")
            let ann = try await stack.customer(email: "ann@example.com")
            let ref = CustomerReference(customerID: ann)
            func tier() async throws -> TierProgress {
                try await stack.service.tierProgress(program: stack.program, customerID: ann)
            }
            #expect(try await tier().tierID == "member")
            #expect(try await tier().needed == 50_000)

            stack.clock.set(utc("2026-01-10T12:00:00Z"))
            try await stack.record(stack.order("o-1", ref, total: 30_000))
            #expect(try await tier().tierID == "member")
            #expect(try await tier().needed == 20_000)
            #expect(try await tier().before == utc("2027-01-01T00:00:00Z"))

            // Crossing 500.00: Silver at once; this order still earns at the Member rate.
            stack.clock.set(utc("2026-03-01T12:00:00Z"))
            let crossing = try await stack.record(stack.order("o-2", ref, total: 25_000))
            #expect(crossing.pointsEarned == 250)
            #expect(try await tier().tierID == "silver")
            #expect(try await tier().reviewAt == utc("2027-01-01T00:00:00Z"))

            // As Silver an order earns 25% more, and reaching 1,500.00 gives Gold and its gift once.
            stack.clock.set(utc("2026-06-01T12:00:00Z"))
            let big = try await stack.record(stack.order("o-3", ref, total: 100_000))
            #expect(big.pointsEarned == 1_250)
            #expect(big.awards.map(\.ruleID) == ["base", "tier:silver"])
            let gold = try await tier()
            #expect(gold.tierID == "gold")
            #expect(gold.benefits.discountPercent == Hundredths(1000))
            #expect(gold.nextTierID == nil)
            #expect(try await stack.checkBalance(ann) == 300 + 250 + 1_250 + 200)
            let gifts = try await stack.entries(ann).filter { $0.sourceType == .tier }
            #expect(gifts.map(\.points) == [200])

            // A return takes back the order's points (the tier bonus too) but not the tier before its review.
            stack.clock.set(utc("2026-06-05T12:00:00Z"))
            try await stack.returnOrder("o-3", ReturnInput(returnID: "r-3", whole: true))
            #expect(try await stack.checkBalance(ann) == 300 + 250 + 200)
            #expect(try await tier().tierID == "gold")
            #expect(try await tier().value == 55_000)

            // In the grace period Gold still holds; at its end the year's 550.00 is worth Silver: one step down.
            stack.clock.set(utc("2027-01-20T00:00:00Z"))
            #expect(try await tier().tierID == "gold")
            #expect(try await stack.service.reviewTiers(program: stack.program, asOf: stack.now).changes == 0)
            stack.clock.set(utc("2027-02-01T00:00:00Z"))
            let first = try await stack.service.expirePoints(program: stack.program)
            #expect(first.tierChanges == 1)
            #expect(try await stack.service.expirePoints(program: stack.program).tierChanges == 0)
            let reviewed = try await tier()
            #expect(reviewed.tierID == "silver")
            #expect(reviewed.reviewAt == utc("2028-01-01T00:00:00Z"))
            #expect(reviewed.history.map(\.reason) == [.upgrade, .upgrade, .downgrade])
            #expect(reviewed.history.last?.at == utc("2027-01-31T00:00:00Z"))

            // Two years without a purchase: the job catches up and steps down to Member; the gift is not given
            // again when Gold is reached again.
            stack.clock.set(utc("2029-03-01T00:00:00Z"))
            let late = try await stack.service.expirePoints(program: stack.program)
            #expect(late.tierChanges == 1)
            #expect(try await tier().tierID == "member")
            #expect(try await tier().reviewAt == nil)
            try await stack.record(stack.order("o-4", ref, total: 200_000))
            #expect(try await tier().tierID == "gold")
            #expect(try await stack.entries(ann).filter { $0.sourceType == .tier }.count == 1)

            let distribution = try await stack.service.tierDistribution(program: stack.program)
            #expect(distribution.tiers.map(\.customers) == [0, 0, 1])
        }
    }

    @Test func aRollingWindowNeedsTheValueAgainWithinItsMonthsToKeepTheTier() async throws {
        let ladder = TierLadder(
            qualification: .init(metric: .points, window: .rollingMonths, months: 3),
            downgrade: .init(graceDays: 0, steps: .toQualifying),
            tiers: [
                .init(id: "base", name: "Base", threshold: 0), .init(id: "plus", name: "Plus", threshold: 100),
                .init(id: "max", name: "Max", threshold: 1_000),
            ])
        try await withStack(rules: [onePerEuro]) { stack in
            _ = try await stack.service.saveConfiguration(
                program: stack.program, LoyaltyConfiguration(tiers: ladder), actor: "tests")
            let bob = try await stack.customer(email: "bob@example.com")
            let ref = CustomerReference(customerID: bob)
            func tier() async throws -> String {
                try await stack.service.tierProgress(program: stack.program, customerID: bob).tierID
            }
            stack.clock.set(utc("2026-01-15T10:00:00Z"))
            try await stack.record(stack.order("b-1", ref, total: 150_000))
            #expect(try await tier() == "max")
            // Reviewed three months later: the 150 points after 15 January keep Plus, straight down from Max (the
            // upgrading order itself has just left the window).
            stack.clock.set(utc("2026-03-15T10:00:00Z"))
            try await stack.record(stack.order("b-2", ref, total: 15_000))
            stack.clock.set(utc("2026-05-01T00:00:00Z"))
            #expect(try await stack.service.expirePoints(program: stack.program).tierChanges == 1)
            let progress = try await stack.service.tierProgress(program: stack.program, customerID: bob)
            #expect(progress.tierID == "plus")
            #expect(progress.history.last?.at == utc("2026-04-15T10:00:00Z"))
            #expect(progress.reviewAt == utc("2026-07-15T10:00:00Z"))
        }
    }

    @Test func anOverrideShowsItsTierUntilItEndsAndTheEarnedTierComesBack() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            _ = try await stack.service.saveConfiguration(
                program: stack.program, LoyaltyConfiguration(tiers: calendarLadder), actor: "tests")
            let cy = try await stack.customer(email: "cy@example.com")
            let bad = await caught {
                _ = try await stack.service.overrideTier(
                    program: stack.program, customerID: cy,
                    TierOverrideRequest(tierID: "platinum", reason: "", until: stack.now), actor: "tests")
            }
            #expect(Set(bad.invalidFields ?? []) == ["reason", "until"])
            let set = try await stack.service.overrideTier(
                program: stack.program, customerID: cy,
                TierOverrideRequest(tierID: "gold", reason: "complaint settled", until: stack.now + 10 * TestStack.day),
                actor: "tests")
            #expect(set.tierID == "gold" && set.earnedTierID == "member")
            // The override's multiplier applies to orders while it lasts.
            let order = try await stack.record(stack.order("c-1", CustomerReference(customerID: cy), total: 10_000))
            #expect(order.pointsEarned == 150)
            stack.advance(days: 11)
            #expect(try await stack.service.tierProgress(program: stack.program, customerID: cy).tierID == "member")
            let report = try await stack.service.expirePoints(program: stack.program)
            #expect(report.tiersReviewed == 1 && report.tierChanges == 1)
            let history = try await stack.service.tierProgress(program: stack.program, customerID: cy).history
            #expect(history.map(\.reason) == [.override, .overrideEnded])
            #expect(history.first?.actor == "tests")
        }
    }

    @Test func aBadLadderNamesEveryBadFieldAndSavesNothing() async throws {
        try await withStack { stack in
            var ladder = calendarLadder
            ladder.tiers[0].threshold = 5
            ladder.tiers[2].threshold = 100
            ladder.tiers[1].benefits.earnMultiplier = Hundredths(50)
            ladder.qualification.months = 3
            let error = await caught {
                _ = try await stack.service.saveConfiguration(
                    program: stack.program, LoyaltyConfiguration(tiers: ladder), actor: "tests")
            }
            #expect(
                error.invalidFields == [
                    "tiers.qualification.months", "tiers.tiers[0].threshold", "tiers.tiers[1].benefits.earn_multiplier",
                    "tiers.tiers[2].threshold",
                ])
            #expect(try await stack.service.configuration(program: stack.program).version == 0)
            let first = try await stack.service.saveConfiguration(
                program: stack.program, LoyaltyConfiguration(tiers: calendarLadder), actor: "tests")
            let again = try await stack.service.saveConfiguration(
                program: stack.program, LoyaltyConfiguration(tiers: calendarLadder), actor: "tests")
            #expect(first.version == 1 && again.version == 1)
        }
    }
}
