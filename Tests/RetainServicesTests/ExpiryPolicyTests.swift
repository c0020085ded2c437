import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct ExpiryPolicyTests {
    @Test func endOfPeriodPoliciesDateEachLotAtThePeriodsEnd() async throws {
        var settings = ProgramSettings(currency: TestStack.eur, timeZone: "Europe/Warsaw")
        settings.pointsExpiry = ExpiryPolicy(kind: .endOfPeriod, months: 12, period: .year)
        let quarterly = EarningRule(
            id: "promo", name: "Spring promo", kind: .orderBonus, points: 50,
            expiry: ExpiryPolicy(kind: .endOfPeriod, months: 0, period: .quarter))
        try await withStack(settings: settings, rules: [onePerEuro, quarterly]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            stack.clock.set(utc("2026-02-10T12:00:00Z"))
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 10_000))
            let lots = try await stack.openLots(ann).sorted { $0.points > $1.points }
            // 100 points: end of 2027 in Warsaw; 50 promo points: end of the first quarter of 2026.
            #expect(lots.map(\.expiresAt) == [utc("2027-12-31T23:00:00Z"), utc("2026-03-31T22:00:00Z")])
            #expect(lots.allSatisfy { !$0.renews })
        }
    }

    @Test func inactivityExpiresEverythingMonthsAfterTheLastPurchaseAndEachPurchaseRenews() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pointsExpiry = ExpiryPolicy(kind: .inactivity, months: 6)
        let shortLived = EarningRule(
            id: "flash", name: "Flash bonus", kind: .orderBonus, points: 10, expiresAfterDays: 300)
        try await withStack(settings: settings, rules: [onePerEuro, shortLived]) { stack in
            let bob = try await stack.customer(email: "bob@example.com")
            let ref = CustomerReference(customerID: bob)
            stack.clock.set(utc("2026-01-10T00:00:00Z"))
            try await stack.record(stack.order("o-1", ref, total: 5_000))
            #expect(try await stack.checkBalance(bob) == 60)
            stack.clock.set(utc("2026-04-01T00:00:00Z"))
            try await stack.record(stack.order("o-2", ref, total: 2_000))
            // Both 1-per-euro lots now expire on 1 October; the flash lots keep their own 300 days.
            let renewed = try await stack.openLots(bob).filter { $0.renews }.map(\.expiresAt)
            #expect(renewed == [utc("2026-10-01T00:00:00Z"), utc("2026-10-01T00:00:00Z")])

            stack.clock.set(utc("2026-09-30T00:00:00Z"))
            #expect(try await stack.service.expirePoints(program: stack.program).points == 0)
            stack.clock.set(utc("2026-10-02T00:00:00Z"))
            let report = try await stack.service.expirePoints(program: stack.program)
            #expect(report.points == 70 && report.entries == 2)
            #expect(try await stack.checkBalance(bob) == 20)
            let dates = try await stack.entries(bob).filter { $0.kind == .expire }.map(\.at)
            #expect(dates == [utc("2026-10-01T00:00:00Z"), utc("2026-10-01T00:00:00Z")])
            #expect(try await stack.service.expirePoints(program: stack.program).points == 0)
        }
    }

    @Test func inactivityIsForProgramsOnlyAndOnePolicyAtATime() async throws {
        try await withStack { stack in
            let rule = EarningRule(
                id: "r", name: "R", kind: .orderBonus, points: 5, expiresAfterDays: 10,
                expiry: ExpiryPolicy(kind: .inactivity, months: 3))
            let error = await caught { try await stack.setRules([rule]) }
            #expect(error.invalidFields == ["rules[0].expiry", "rules[0].expiry.kind"])
            let both = await caught {
                try await stack.configure {
                    $0.pointsExpireAfterDays = 30
                    $0.pointsExpiry = ExpiryPolicy(kind: .endOfPeriod, months: 1)
                }
            }
            #expect(both.invalidFields == ["points_expiry", "points_expiry.period"])
        }
    }

    @Test func expiringSoonAndTheLiabilityReportCountWhatIsOutstanding() async throws {
        var settings = ProgramSettings(currency: TestStack.eur, pointsExpireAfterDays: 60)
        settings.pointValue = PointValue(points: 100, amount: 50)
        try await withStack(settings: settings, rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let bob = try await stack.customer(email: "bob@example.com")
            stack.clock.set(utc("2026-01-01T00:00:00Z"))
            try await stack.record(stack.order("a-1", CustomerReference(customerID: ann), total: 100_000))
            stack.clock.set(utc("2026-02-15T00:00:00Z"))
            try await stack.record(stack.order("b-1", CustomerReference(customerID: bob), total: 40_000))
            try await stack.redeem(ann, RedemptionRequest(points: 200))
            try await stack.grant(70, to: bob)  // expires with the program's 60 days too

            stack.clock.set(utc("2026-02-20T00:00:00Z"))
            let soon = try await stack.service.expiringPoints(
                program: stack.program, withinDays: 14, limit: 10, after: nil)
            #expect(soon.customers.map(\.customerID) == [ann])
            #expect(soon.customers.first?.points == 800)
            #expect(soon.customers.first?.firstExpiry == utc("2026-03-02T00:00:00Z"))

            // A month later ann's lot has expired (800 points) — history: 800 expired, 200 redeemed: 80% breakage.
            stack.clock.set(utc("2026-03-10T00:00:00Z"))
            _ = try await stack.service.expirePoints(program: stack.program)
            let report = try await stack.service.liability(program: stack.program)
            #expect(report.outstandingPoints == 470)
            #expect(report.outstandingValue == 235)
            #expect(report.breakageRate == 0.8)
            #expect(report.expiring.map(\.month) == ["2026-04"])
            #expect(report.expiring.first?.expectedBreakage == 376)
            #expect(report.expectedBreakageValue == 188)
        }
    }
}
