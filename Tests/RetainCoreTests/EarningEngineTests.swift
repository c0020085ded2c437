import Foundation
import RetainCore
import Testing

@Suite struct EarningEngineTests {
    static let eur = Currency(code: "EUR")!
    let settings = ProgramSettings(currency: eur)
    /// 2026-11-24T12:00:00Z, a Tuesday in UTC.
    static let tuesdayNoon = RFC3339.parse("2026-11-24T12:00:00Z")!

    func order(_ lines: [OrderLine], discount: Int64 = 0, at placedAt: Date = tuesdayNoon) throws -> OrderInput {
        try OrderInput(
            orderID: "o-1", customer: CustomerReference(externalID: "c"), placedAt: placedAt, currency: "EUR",
            lines: lines, discount: discount
        ).validated(for: settings)
    }

    func perEuro(
        _ id: String = "base", rounding: EarningRule.Rounding = .floor, priority: Int = 100,
        conditions: EarningRule.Conditions = .init()
    ) -> EarningRule {
        EarningRule(
            id: id, name: id, kind: .pointsPerAmount, priority: priority, conditions: conditions, points: 1,
            perAmount: 100, rounding: rounding)
    }

    func points(_ awards: [Award]) -> Int64 { awards.reduce(0) { $0 + $1.points } }

    @Test(arguments: [(EarningRule.Rounding.floor, Int64(12)), (.nearest, 13), (.ceil, 13)])
    func onePointPerEuroOn12_99(rounding: EarningRule.Rounding, expected: Int64) throws {
        // 1299 minor units × 1 point / 100 = 12.99 points → floor 12, nearest 13, ceil 13.
        let awards = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 1, unitPrice: 1299)]),
            rules: [perEuro(rounding: rounding)], settings: settings)
        #expect(awards.map(\.points) == [expected])
        #expect(awards.first?.linePoints == [expected])
    }

    @Test func nearestRoundsHalfUpAndTheSumIsRoundedOncePerRule() throws {
        // Lines 0.50 + 0.50 + 0.40 = 1.40 → 1.4 points; rounding each line (0.5 → 1) would give 3, once gives 1.
        let awards = EarningEngine.evaluate(
            order: try order([
                OrderLine(quantity: 1, unitPrice: 50), OrderLine(quantity: 1, unitPrice: 50),
                OrderLine(quantity: 1, unitPrice: 40),
            ]),
            rules: [perEuro(rounding: .nearest)], settings: settings)
        #expect(points(awards) == 1)
        // 12.50 → 12.5 points → nearest 13.
        let half = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 1, unitPrice: 1250)]),
            rules: [perEuro(rounding: .nearest)], settings: settings)
        #expect(points(half) == 13)
    }

    @Test func cashbackAtTheProgramPointValue() throws {
        // 5% of 12.99 = 0.6495 EUR; 100 points = 1.00 → 64.95 points → floor 64.
        let cashback = EarningRule(id: "cb", name: "cb", kind: .cashback, percent: Hundredths(500))
        let awards = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 1, unitPrice: 1299)]),
            rules: [cashback], settings: settings)
        #expect(points(awards) == 64)
        // At 10 points = 1.00 the same cashback is 6.495 points → floor 6.
        var cheap = settings
        cheap.pointValue = PointValue(points: 10, amount: 100)
        #expect(
            points(
                EarningEngine.evaluate(
                    order: try order([OrderLine(quantity: 1, unitPrice: 1299)]),
                    rules: [cashback], settings: cheap)) == 6)
    }

    @Test func categoryMultiplierOnlyOnMatchingLines() throws {
        // shoes 20.00 × 1 × 2 = 40, socks 5.00 × 1 = 5 → 45 points, attributed 40 / 5.
        let double = EarningRule(
            id: "x2", name: "x2", kind: .multiplier,
            conditions: .init(categories: ["shoes"]), factor: Hundredths(200))
        let awards = EarningEngine.evaluate(
            order: try order([
                OrderLine(category: "shoes", quantity: 1, unitPrice: 2000),
                OrderLine(category: "socks", quantity: 1, unitPrice: 500),
            ]),
            rules: [perEuro(), double], settings: settings)
        #expect(awards.count == 1)
        #expect(awards.first?.points == 45)
        #expect(awards.first?.linePoints == [40, 5])
    }

    @Test func multipliersDoNotStackTheHighestWins() throws {
        // 10.00 with ×2 and ×3.5 both matching → 10 × 3.5 = 35 (not 10 × 2 × 3.5 = 70).
        let rules = [
            perEuro(),
            EarningRule(id: "m1", name: "m1", kind: .multiplier, factor: Hundredths(200)),
            EarningRule(
                id: "m2", name: "m2", kind: .multiplier, conditions: .init(skus: ["A"]), factor: Hundredths(350)),
        ]
        let awards = EarningEngine.evaluate(
            order: try order([OrderLine(sku: "A", quantity: 1, unitPrice: 1000)]),
            rules: rules, settings: settings)
        #expect(points(awards) == 35)
    }

    @Test func weekdayIsReadInTheProgramTimeZone() throws {
        let tuesdayOnly = perEuro(conditions: .init(weekdays: [2]))
        let line = [OrderLine(quantity: 1, unitPrice: 1000)]
        let wednesday = RFC3339.parse("2026-11-25T12:00:00Z")!
        #expect(points(EarningEngine.evaluate(order: try order(line), rules: [tuesdayOnly], settings: settings)) == 10)
        #expect(
            EarningEngine.evaluate(order: try order(line, at: wednesday), rules: [tuesdayOnly], settings: settings)
                .isEmpty)
        // 2026-11-23T20:00Z is Monday in UTC but Tuesday 09:00 in Auckland (UTC+13 in November).
        let mondayUTC = RFC3339.parse("2026-11-23T20:00:00Z")!
        var auckland = settings
        auckland.timeZone = "Pacific/Auckland"
        #expect(
            EarningEngine.evaluate(order: try order(line, at: mondayUTC), rules: [tuesdayOnly], settings: settings)
                .isEmpty)
        #expect(
            points(
                EarningEngine.evaluate(
                    order: try order(line, at: mondayUTC), rules: [tuesdayOnly],
                    settings: auckland)) == 10)
        // And Tuesday 2026-11-24T12:00Z is already Wednesday 01:00 in Auckland.
        #expect(EarningEngine.evaluate(order: try order(line), rules: [tuesdayOnly], settings: auckland).isEmpty)
    }

    @Test func dateRangeIsInclusive() throws {
        let line = [OrderLine(quantity: 1, unitPrice: 1000)]
        let promo = perEuro(conditions: .init(startsOn: "2026-11-24", endsOn: "2026-11-30"))
        for (instant, earns) in [
            ("2026-11-23T23:59:59Z", false), ("2026-11-24T00:00:00Z", true),
            ("2026-11-30T23:59:59Z", true), ("2026-12-01T00:00:00Z", false),
        ] {
            let awards = EarningEngine.evaluate(
                order: try order(line, at: RFC3339.parse(instant)!), rules: [promo],
                settings: settings)
            #expect(awards.isEmpty == !earns, "\(instant)")
        }
    }

    @Test func minimumOrderAmountComparesWithThePaidTotal() throws {
        let rule = perEuro(conditions: .init(minOrderAmount: 5000))
        // 60.00 − 10.01 discount = 49.99 < 50.00 → nothing; 60.00 − 10.00 = 50.00 → 50 points.
        let below = try order([OrderLine(quantity: 1, unitPrice: 6000)], discount: 1001)
        let exact = try order([OrderLine(quantity: 1, unitPrice: 6000)], discount: 1000)
        #expect(EarningEngine.evaluate(order: below, rules: [rule], settings: settings).isEmpty)
        #expect(points(EarningEngine.evaluate(order: exact, rules: [rule], settings: settings)) == 50)
    }

    @Test func excludedSkuEarnsNothingFromBaseOrBonusRules() throws {
        let rules = [
            perEuro(),
            EarningRule(id: "gc", name: "gift cards", kind: .exclusion, conditions: .init(skus: ["GIFT"])),
            EarningRule(id: "bonus", name: "bonus", kind: .orderBonus, points: 50),
        ]
        // Gift card 50.00 + shirt 30.00: base 30 points on the shirt only; the bonus's 50 all on the shirt.
        let mixed = EarningEngine.evaluate(
            order: try order([
                OrderLine(sku: "GIFT", quantity: 1, unitPrice: 5000),
                OrderLine(sku: "SHIRT", quantity: 1, unitPrice: 3000),
            ]),
            rules: rules, settings: settings)
        #expect(mixed.map(\.points) == [30, 50])
        #expect(mixed.map(\.linePoints) == [[0, 30], [0, 50]])
        // A gift card alone earns nothing at all.
        let giftOnly = EarningEngine.evaluate(
            order: try order([OrderLine(sku: "GIFT", quantity: 1, unitPrice: 5000)]),
            rules: rules, settings: settings)
        #expect(giftOnly.isEmpty)
    }

    @Test func orderBonusIsAttributedByLineAmount() throws {
        // 100 points over lines 30.00 / 10.00 → 75 / 25.
        let bonus = EarningRule(id: "b", name: "b", kind: .orderBonus, points: 100)
        let awards = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 3, unitPrice: 1000), OrderLine(quantity: 1, unitPrice: 1000)]),
            rules: [bonus], settings: settings)
        #expect(awards.map(\.linePoints) == [[75, 25]])
    }

    @Test func orderBonusWithLineConditionsNeedsAMatchingLine() throws {
        let shoesBonus = EarningRule(
            id: "b", name: "b", kind: .orderBonus, conditions: .init(categories: ["shoes"]),
            points: 100)
        let socksOnly = try order([OrderLine(category: "socks", quantity: 1, unitPrice: 1000)])
        #expect(EarningEngine.evaluate(order: socksOnly, rules: [shoesBonus], settings: settings).isEmpty)
        let socksAndShoes = try order([
            OrderLine(category: "socks", quantity: 1, unitPrice: 1000),
            OrderLine(category: "shoes", quantity: 1, unitPrice: 1000),
        ])
        #expect(
            EarningEngine.evaluate(order: socksAndShoes, rules: [shoesBonus], settings: settings)
                .map(\.linePoints) == [[0, 100]])
        // An unconditional bonus still applies to an order without lines, even a free one (total 0).
        let free = try OrderInput(
            orderID: "o-2", customer: CustomerReference(externalID: "c"),
            placedAt: EarningEngineTests.tuesdayNoon, currency: "EUR", total: 0
        )
        .validated(for: settings)
        let anyBonus = EarningRule(id: "b", name: "b", kind: .orderBonus, points: 100)
        #expect(EarningEngine.evaluate(order: free, rules: [anyBonus], settings: settings).map(\.linePoints) == [[100]])
        #expect(EarningEngine.evaluate(order: free, rules: [shoesBonus], settings: settings).isEmpty)
    }

    @Test func inactiveRulesAreIgnored() throws {
        var rule = perEuro()
        rule.active = false
        #expect(
            EarningEngine.evaluate(
                order: try order([OrderLine(quantity: 1, unitPrice: 1000)]), rules: [rule],
                settings: settings
            ).isEmpty)
    }

    @Test func lineAttributionAddsUpToThePoints() throws {
        // 7 points per 3.00 on 1.01 / 2.02 / 4.04 (7.07): 16.496… → floor 16, spread over the lines.
        let rule = EarningRule(id: "r", name: "r", kind: .pointsPerAmount, points: 7, perAmount: 300)
        let awards = EarningEngine.evaluate(
            order: try order([
                OrderLine(quantity: 1, unitPrice: 101), OrderLine(quantity: 1, unitPrice: 202),
                OrderLine(quantity: 1, unitPrice: 404),
            ]),
            rules: [rule, EarningRule(id: "b", name: "b", kind: .orderBonus, points: 10)], settings: settings)
        #expect(awards.map(\.points) == [16, 10])
        for award in awards { #expect(award.linePoints.reduce(0, +) == award.points) }
        // 16 over weights 101:202:404 = 2.29 / 4.57 / 9.14 → floors 2 / 4 / 9, the last point to the largest
        // remainder (4.57).
        #expect(awards.first?.linePoints == [2, 5, 9])
    }

    @Test func awardsComeOutByPriorityThenID() throws {
        let rules = [perEuro("c", priority: 5), perEuro("b", priority: 1), perEuro("a", priority: 5)]
        let awards = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 1, unitPrice: 1000)]), rules: rules,
            settings: settings)
        #expect(awards.map(\.ruleID) == ["b", "a", "c"])
        #expect(
            EarningEngine.evaluate(
                order: try order([OrderLine(quantity: 1, unitPrice: 1000)]),
                rules: rules.reversed(), settings: settings) == awards)
    }

    @Test func maturityAndExpiryFollowProgramAndRule() throws {
        var program = settings
        program.pendingDays = 14
        program.pointsExpireAfterDays = 365
        var shortLived = perEuro("short")
        shortLived.expiresAfterDays = 30
        let placed = EarningEngineTests.tuesdayNoon
        let awards = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 1, unitPrice: 1000)]),
            rules: [perEuro("base"), shortLived], settings: program)
        let day: TimeInterval = 86_400
        #expect(awards.map(\.maturesAt) == [placed + 14 * day, placed + 14 * day])
        #expect(awards.map(\.expiresAt) == [placed + 365 * day, placed + 30 * day])
        program.pointsExpireAfterDays = nil
        let forever = EarningEngine.evaluate(
            order: try order([OrderLine(quantity: 1, unitPrice: 1000)]),
            rules: [perEuro("base")], settings: program)
        #expect(forever.first?.expiresAt == nil)
    }
}
