import Foundation
import PropertyBased
import RetainCore
import Testing

@Suite struct StampEnginePropertyTests {
    /// op 0–6: an order of `mugs` mugs and `other` other items; 7–9: a return of `mugs` mugs of an earlier order.
    static let step = zip(Gen.int(in: 0...9), Gen.int64(in: 0...7), Gen.int64(in: 0...3), Gen.int(in: 0...1_000))
    static let cardChoice = Gen.int(in: 0...3)

    static func card(_ choice: Int) -> StampCard {
        StampCard(
            id: "mug", name: "Every 6th mug free", stamps: choice % 2 == 0 ? 5 : 3, per: choice < 2 ? .item : .order,
            conditions: .init(skus: ["MUG"]), reward: .init(points: 500), restart: choice != 3)
    }

    @Test("stamps never exceed the card, and stamps earned − taken back = filled × size + open − owed")
    func stampsBalance() async {
        await propertyCheck(count: 300, input: Self.cardChoice, Self.step.array(of: 1...60)) { choice, steps in
            let card = Self.card(choice)
            var state = StampCardState(cardID: card.id)
            var orders: [OrderInput] = []
            var returned: [String: Int64] = [:]
            var earned = 0
            var takenBack = 0
            var rewards = 0
            for (index, step) in steps.enumerated() {
                let (op, mugs, other, pick) = step
                if op < 7 || orders.isEmpty {
                    var lines: [OrderLine] = []
                    if mugs > 0 { lines.append(OrderLine(sku: "MUG", quantity: mugs, unitPrice: 900)) }
                    if other > 0 || lines.isEmpty {
                        lines.append(OrderLine(sku: "TEA", quantity: max(other, 1), unitPrice: 400))
                    }
                    let order = OrderInput(
                        orderID: "o\(index)", customer: CustomerReference(customerID: "c"),
                        placedAt: Date(timeIntervalSince1970: Double(index) * 3600), currency: "EUR", lines: lines,
                        total: lines.reduce(0) { $0 + $1.quantity * $1.unitPrice })
                    let before = state.completed
                    let raw = card.stamps(for: order)
                    rewards += StampEngine.stamp(&state, card: card, order: order)
                    if card.restart || before == 0 { earned += raw } else { #expect(state.completed == before) }
                    orders.append(order)
                } else {
                    let order = orders[pick % orders.count]
                    let bought = order.lines.first { $0.sku == "MUG" }?.quantity ?? 0
                    let units = min(mugs, bought - returned[order.orderID, default: 0])
                    returned[order.orderID, default: 0] += units
                    let whole = returned[order.orderID]! == bought
                    let before = state.orders.first { $0.orderID == order.orderID }
                    StampEngine.takeBack(
                        &state, card: card, orderID: order.orderID, returnedMatchingUnits: Int(units),
                        wholeOrderReturned: whole && bought > 0)
                    let after = state.orders.first { $0.orderID == order.orderID }
                    takenBack += (after?.takenBack ?? 0) - (before?.takenBack ?? 0)
                }
                #expect(state.stamps >= 0 && state.stamps <= card.stamps)
                if card.restart { #expect(state.stamps < card.stamps) }
                #expect(state.owed >= 0)
                #expect(rewards == state.completed)
                if !card.restart { #expect(state.completed <= 1) }
            }
            if card.restart {
                #expect(earned - takenBack == state.completed * card.stamps + state.stamps - state.owed)
            }
        }
    }

    @Test("a return takes the order's own open stamps first, and owes what a rewarded card already used")
    func returnAfterAFullCard() {
        let card = Self.card(0)
        var state = StampCardState(cardID: card.id)
        func order(_ id: String, mugs: Int64) -> OrderInput {
            OrderInput(
                orderID: id, customer: CustomerReference(customerID: "c"), placedAt: Date(timeIntervalSince1970: 0),
                currency: "EUR", lines: [OrderLine(sku: "MUG", quantity: mugs, unitPrice: 900)], total: mugs * 900)
        }
        #expect(StampEngine.stamp(&state, card: card, order: order("a", mugs: 4)) == 0)
        #expect(StampEngine.stamp(&state, card: card, order: order("b", mugs: 3)) == 1)
        #expect(state.stamps == 2 && state.completed == 1)
        // b gave 1 stamp to the rewarded card and 2 to the open one: returning all 3 empties the open card and
        // owes 1.
        StampEngine.takeBack(&state, card: card, orderID: "b", returnedMatchingUnits: 3, wholeOrderReturned: true)
        #expect(state.stamps == 0 && state.owed == 1 && state.completed == 1)
        // The next mug pays the debt; the one after it stamps.
        _ = StampEngine.stamp(&state, card: card, order: order("c", mugs: 2))
        #expect(state.owed == 0 && state.stamps == 1)
    }
}
