import Foundation
import PropertyBased
import RetainCore
import Testing

/// The ledger invariants, checked after every step of random histories (see `LedgerModel`).
extension LedgerModel {
    func checkInvariants() {
        // (a) balance = sum of entries ≥ 0, every lot's remaining within [0, points].
        let balance = lots.values.reduce(Int64(0)) { $0 + $1.remaining }
        #expect(balance == entries.reduce(0) { $0 + $1.points })
        #expect(balance >= 0)
        var drawnFromLot: [String: Int64] = [:]
        var drawnByEntry: [String: Int64] = [:]
        for draw in draws {
            #expect(draw.points > 0)
            drawnFromLot[draw.lotID, default: 0] += draw.points
            drawnByEntry[draw.entryID, default: 0] += draw.points
        }
        for lot in lots.values {
            #expect(lot.remaining >= 0 && lot.remaining <= lot.points, "\(lot.id)")
            // (b) and (d): draws on a lot add up to what it lost, so they never exceed its points.
            #expect(drawnFromLot[lot.id, default: 0] == lot.points - lot.remaining, "\(lot.id)")
        }
        let byID = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID.count == entries.count, "entry ids are unique")
        for entry in entries {
            if entry.points > 0 {
                #expect(entry.lotID.flatMap { lots[$0] }?.points == entry.points)
            } else {
                #expect(drawnByEntry[entry.id] == -entry.points, "\(entry.kind) \(entry.id)")
            }
        }
        for draw in draws {
            guard let entry = byID[draw.entryID], let lot = lots[draw.lotID] else {
                Issue.record("draw \(draw) names an unknown entry or lot")
                continue
            }
            switch entry.kind {
            case .expire:
                // (d) an expiry takes only what is left, at the expiry, and nothing draws on the lot afterwards.
                #expect(entry.at == lot.expiresAt && lot.remaining == 0)
                #expect(draws.last { $0.lotID == lot.id }?.entryID == entry.id)
            case .redeem:
                #expect(lot.maturesAt <= entry.at && (lot.expiresAt.map { $0 > entry.at } ?? true), "\(lot.id)")
            default: break
            }
        }
        for record in orders.values { check(record) }
    }

    /// (c) per order: returns never take back more than the order earned, and the ledger agrees with the records.
    func check(_ record: OrderRecord) {
        let mine = returns.values.filter { $0.record.orderID == record.orderID }.map(\.record)
        let reversed = mine.reduce(Int64(0)) { $0 + $1.pointsReversed }
        let unrecovered = mine.reduce(Int64(0)) { $0 + $1.pointsUnrecovered }
        #expect(reversed <= record.pointsEarned && reversed + unrecovered == record.pointsReversed, "\(record.orderID)")
        for state in record.awards {
            // The documented share: Σ over lines of ⌊line points × returned units ÷ line units⌋.
            let share = zip(state.award.linePoints, zip(record.returnedUnits, record.lineUnits)).reduce(Int64(0)) {
                $0 + ($1.1.1 == 0 ? 0 : $1.0 * $1.1.0 / $1.1.1)
            }
            #expect(state.reversed == share && share <= state.award.points, "\(record.orderID) \(state.award.ruleID)")
        }
        let returnIDs = Set(mine.map(\.returnID))
        let earnedEntries = entries.filter { $0.sourceType == .order && $0.sourceID == record.orderID }
        let reverseEntries = entries.filter { $0.sourceType == .return && returnIDs.contains($0.sourceID ?? "") }
        #expect(earnedEntries.reduce(0) { $0 + $1.points } == record.pointsEarned)
        #expect(reverseEntries.reduce(0) { $0 + $1.points } == -reversed)
        #expect(zip(record.returnedUnits, record.lineUnits).allSatisfy { $0 >= 0 && $0 <= $1 })
        if record.status == .returned {
            #expect(record.pointsReversed == record.pointsEarned && record.returnedAmount == record.input.paid)
        }
    }
}

@Suite struct LedgerPropertyTests {
    @Test func invariantsHoldAfterEveryStep() async {
        await propertyCheck(count: 200, input: LedgerScenario.variant, LedgerScenario.steps) { variant, steps in
            var model = LedgerModel(variant: variant)
            for step in steps {
                model.perform(step)
                model.checkInvariants()
            }
        }
    }

    /// Only orders, returns and retries: returning every order in full brings the balance back to exactly zero.
    @Test func returningEverythingWithoutSpendingLeavesNothing() async {
        await propertyCheck(count: 100, input: LedgerScenario.variant, LedgerScenario.steps) { variant, steps in
            var model = LedgerModel(variant: variant)
            for var step in steps {
                step.op %= 66
                model.perform(step)
            }
            for (orderID, record) in model.orders.sorted(by: { $0.key < $1.key }) where record.status != .returned {
                // A free order without lines (total 0) has no units to return; `whole` is refused for it.
                let returnable = zip(record.lineUnits, record.returnedUnits).contains { $0 > $1 }
                model.counter += 1
                model.submitReturn(
                    ReturnInput(returnID: "final-\(model.counter)", whole: true), orderID: orderID,
                    expectAccepted: returnable)
            }
            model.checkInvariants()
            #expect(model.orders.values.allSatisfy { $0.status == .returned || $0.input.paid == 0 })
            #expect(model.lots.values.allSatisfy { $0.remaining == 0 })
            #expect(model.entries.reduce(0) { $0 + $1.points } == 0)
        }
    }
}
