import Foundation
import Testing

@testable import RetainCore

/// The largest values validation lets through must never trap: a crash would take the server down with it.
@Suite("extreme values")
struct ExtremeValuesTests {
    static let settings = ProgramSettings(currency: Currency(code: "EUR")!)

    @Test("the richest rule on the largest order gives at most the award cap, split exactly over the lines")
    func richestRule() throws {
        let rule = EarningRule(
            id: "max", name: "max", kind: .pointsPerAmount, points: 1_000_000_000, perAmount: 1)
        let bonus = EarningRule(id: "bonus", name: "bonus", kind: .orderBonus, points: 1_000_000_000)
        let multiplier = EarningRule(id: "x100", name: "x100", kind: .multiplier, factor: Hundredths(10_000))
        for rules in [[rule], [rule, multiplier, bonus]] {
            #expect(rules.allSatisfy { $0.issues().isEmpty })
            let lineless = try OrderInput(
                orderID: "o", customer: CustomerReference(customerID: "c"), placedAt: Date(), currency: "EUR",
                total: 1_000_000_000_000_000
            ).validated(for: Self.settings)
            let lined = try OrderInput(
                orderID: "o", customer: CustomerReference(customerID: "c"), placedAt: Date(), currency: "EUR",
                lines: [
                    OrderLine(sku: "a", quantity: 1_000_000, unitPrice: 1_000_000_000_000),
                    OrderLine(sku: "b", quantity: 1, unitPrice: 1),
                ]
            ).validated(for: Self.settings)
            for order in [lineless, lined] {
                let awards = EarningEngine.evaluate(order: order, rules: rules, settings: Self.settings)
                #expect(!awards.isEmpty)
                for award in awards {
                    #expect(award.points <= EarningEngine.maxPointsPerAward)
                    #expect(award.linePoints.reduce(0, +) == award.points)
                    #expect(award.linePoints.allSatisfy { $0 >= 0 })
                }
            }
        }
    }

    @Test("apportioning with huge weights stays exact in total and never traps")
    func hugeWeights() {
        let weights: [Int128] = [Int128(Int64.max) * Int128(Int64.max), 1, Int128(Int64.max)]
        let shares = Apportion.split(Int64.max, weights: weights)
        #expect(shares.reduce(0, +) == Int64.max)
        #expect(shares.allSatisfy { $0 >= 0 })
        #expect(shares[0] > shares[2])
    }
}
