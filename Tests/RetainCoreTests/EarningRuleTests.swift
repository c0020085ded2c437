import Foundation
import RetainCore
import Testing

@Suite struct EarningRuleTests {
    func fields(_ rule: EarningRule) -> [String] { rule.issues().map(\.field) }

    @Test(arguments: [
        (EarningRule.Kind.pointsPerAmount, ["points", "per_amount"]),
        (.cashback, ["percent"]),
        (.multiplier, ["factor"]),
        (.orderBonus, ["points"]),
        (.signupBonus, ["points"]),
        (.profileCompleted, ["points"]),
        (.event, ["points", "event_name"]),
        (.exclusion, ["conditions"]),
    ])
    func missingParameterIsNamed(kind: EarningRule.Kind, expected: [String]) {
        #expect(fields(EarningRule(id: "r", name: "rule", kind: kind)) == expected)
    }

    @Test func completeRulesHaveNoIssues() {
        let rules = [
            EarningRule(id: "a", name: "a", kind: .pointsPerAmount, points: 1, perAmount: 100),
            EarningRule(id: "b", name: "b", kind: .cashback, percent: Hundredths(250)),
            EarningRule(id: "c", name: "c", kind: .multiplier, factor: Hundredths(150)),
            EarningRule(id: "d", name: "d", kind: .orderBonus, points: 5),
            EarningRule(id: "e", name: "e", kind: .exclusion, conditions: .init(skus: ["GIFT"])),
            EarningRule(
                id: "f", name: "f", kind: .event, points: 5, eventName: "review.posted",
                cap: .init(period: .week, maxTimes: 2)),
            EarningRule(id: "g", name: "g", kind: .profileCompleted, points: 5, requiredFields: ["email", "language"]),
        ]
        for rule in rules { #expect(rule.issues().isEmpty, "\(rule.id): \(rule.issues())") }
    }

    @Test func outOfRangeParametersAndConditions() {
        #expect(fields(EarningRule(id: "m", name: "m", kind: .multiplier, factor: Hundredths(99))) == ["factor"])
        #expect(fields(EarningRule(id: "c", name: "c", kind: .cashback, percent: Hundredths(10_001))) == ["percent"])
        #expect(
            fields(EarningRule(id: "p", name: "p", kind: .pointsPerAmount, points: 0, perAmount: 0))
                == ["points", "per_amount"])
        let badConditions = EarningRule(
            id: "o", name: "o", kind: .orderBonus,
            conditions: .init(minOrderAmount: -1, weekdays: [0, 8], startsOn: "2026-12-01", endsOn: "2026-11-30"),
            points: 1, expiresAfterDays: 0)
        #expect(
            fields(badConditions) == [
                "conditions.weekdays", "conditions.weekdays", "conditions.min_order_amount", "conditions.ends_on",
                "expires_after_days",
            ])
        #expect(
            fields(
                EarningRule(
                    id: "o", name: "o", kind: .orderBonus, conditions: .init(startsOn: "2026-2-1"),
                    points: 1)) == ["conditions.starts_on"])
        #expect(
            fields(EarningRule(id: "e", name: "e", kind: .event, points: 1, eventName: "Bad Name"))
                == ["event_name"])
        #expect(
            fields(EarningRule(id: "p", name: "p", kind: .profileCompleted, points: 1, requiredFields: ["shoe_size"]))
                == ["required_fields"])
    }

    @Test func prefixIsPutInFrontOfEveryField() {
        let issues = EarningRule(id: "r", name: "", kind: .cashback).issues(prefix: "rules[3].")
        #expect(issues.map(\.field) == ["rules[3].name", "rules[3].percent"])
        #expect(throws: DomainError.self) { try EarningRule(id: "r", name: "", kind: .cashback).validate() }
    }

    @Test func hundredthsAcceptsTwoDecimalsAndRejectsThree() throws {
        let decoder = JSONDecoder()
        #expect(
            try decoder.decode([Hundredths].self, from: Data("[1.5, 2, 12.25, 0.01]".utf8))
                == [Hundredths(150), Hundredths(200), Hundredths(1225), Hundredths(1)])
        #expect(throws: DecodingError.self) { try decoder.decode([Hundredths].self, from: Data("[1.234]".utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode([Hundredths].self, from: Data("[0.001]".utf8)) }
        let encoded = try JSONEncoder().encode([Hundredths(150)])
        #expect(try decoder.decode([Hundredths].self, from: encoded) == [Hundredths(150)])
    }

    @Test func ruleDecodesFromSnakeCaseJSONWithDefaults() throws {
        let json = """
            {"name": "Double shoes", "kind": "multiplier", "factor": 2,
             "conditions": {"categories": ["shoes"], "min_order_amount": 1000}}
            """
        let rule = try JSONDecoder().decode(EarningRule.self, from: Data(json.utf8))
        #expect(rule.kind == .multiplier)
        #expect(rule.factor == Hundredths(200))
        #expect(rule.active && rule.priority == 100 && rule.rounding == .floor)
        #expect(rule.conditions.categories == ["shoes"] && rule.conditions.minOrderAmount == 1000)
        #expect(rule.issues().isEmpty)
    }
}
