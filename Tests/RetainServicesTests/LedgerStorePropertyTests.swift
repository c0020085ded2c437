import Foundation
import PropertyBased
import RetainCore
import RetainServices
import Testing

/// One random operation: `op` picks the kind, `a`, `b`, `c` its parameters, `lines` an order's lines.
struct ServiceStep: Sendable, CustomStringConvertible {
    var op: Int
    var a: Int
    var b: Int
    var c: Int
    var lines: [OrderLine]

    var description: String {
        "op \(op) a \(a) b \(b) c \(c) lines \(lines.map { "\($0.quantity)×\($0.unitPrice) \($0.category ?? "-")" })"
    }
}

enum ServiceScenario {
    static let line = zip(Gen.int64(in: 1...4), Gen.int64(in: 0...4_000), Gen.int(in: 0...2))
        .map { OrderLine(sku: "S\($0.2)", category: ["c0", "c1", "c2"][$0.2], quantity: $0.0, unitPrice: $0.1) }
    static let step = zip(
        Gen.int(in: 0...99), Gen.int(in: 0...10_000), Gen.int(in: 0...10_000),
        Gen.int(in: 0...10_000), line.array(of: 0...3)
    )
    .map { ServiceStep(op: $0.0, a: $0.1, b: $0.2, c: $0.3, lines: $0.4) }
    static let steps = step.array(of: 1...25)
    /// pending days 0 / 7 × expiry never / 20 days.
    static let variant = Gen.int(in: 0...3)

    static let rules = [
        onePerEuro,
        EarningRule(
            id: "x2", name: "double on c1", kind: .multiplier, conditions: .init(categories: ["c1"]),
            factor: Hundredths(200)),
        EarningRule(
            id: "bonus", name: "big basket", kind: .orderBonus, conditions: .init(minOrderAmount: 5_000),
            points: 25, expiresAfterDays: 10),
    ]
}

/// What a random history did, by idempotency key, so the ledger can be checked against it afterwards.
struct ServiceHistory {
    var customers: [String] = []
    var orders: [(input: OrderInput, result: OrderResult)] = []
    var returns: [(orderID: String, input: ReturnInput, result: ReturnResult)] = []
    var rejectedReturnIDs: [String] = []
    var redemptions: [(key: String, customerID: String, request: RedemptionRequest, result: RedemptionResult)] = []
    var adjustments: [AdjustmentResult] = []
    var counter = 0

    mutating func next(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)-\(counter)"
    }

    mutating func perform(_ step: ServiceStep, on stack: TestStack) async throws {
        let customerID = customers[step.a % customers.count]
        switch step.op {
        case 0..<30:
            let id = next("o")
            let input = stack.order(
                id, CustomerReference(customerID: customerID), total: Int64(step.b), lines: step.lines)
            orders.append((input, try await stack.record(input)))
        case 30..<36 where !orders.isEmpty:
            let (input, first) = orders[step.b % orders.count]
            #expect(try await stack.record(input) == first, "retried order \(input.orderID)")
        case 36..<53 where !orders.isEmpty:
            let orderID = orders[step.b % orders.count].input.orderID
            let view = try await stack.service.order(program: stack.program, id: orderID)
            let input: ReturnInput
            if step.c % 4 == 0 {
                input = ReturnInput(returnID: next("r"), whole: true)
            } else if view.order.lines.isEmpty {
                input = ReturnInput(returnID: next("r"), amount: Int64(step.c % 3_000) + 1)
            } else {
                let lineNumber = step.c % view.order.lines.count
                input = ReturnInput(
                    returnID: next("r"), lines: [.init(lineNumber: lineNumber, quantity: Int64(step.a % 3) + 1)])
            }
            do {
                returns.append((orderID, input, try await stack.returnOrder(orderID, input)))
            } catch let error as DomainError {
                switch error {
                case .invalid, .refused(code: "already_returned", _): rejectedReturnIDs.append(input.returnID)
                default: Issue.record("return \(input.returnID): \(error)")
                }
            }
        case 53..<58 where !returns.isEmpty:
            let (orderID, input, first) = returns[step.b % returns.count]
            #expect(
                try await stack.returnOrder(orderID, input).return == first.return, "retried return \(input.returnID)")
        case 58..<74:
            let key = next("k")
            let request = RedemptionRequest(points: Int64(step.b % 300) + 1, allowPartial: step.c % 3 == 0)
            do {
                let result = try await stack.redeem(customerID, request, key: key)
                #expect(result.wallet.balance >= 0 && result.points <= request.points!)
                redemptions.append((key, customerID, request, result))
            } catch DomainError.refused(let code, _) {
                #expect(["insufficient_points", "nothing_to_redeem"].contains(code), "redeem refused: \(code)")
            }
        case 74..<79 where !redemptions.isEmpty:
            let (key, customer, request, first) = redemptions[step.b % redemptions.count]
            #expect(try await stack.redeem(customer, request, key: key) == first, "retried key \(key)")
        case 79..<86:
            let points = Int64(step.b % 400) - 200
            guard points != 0 else { return }
            do {
                let result = try await stack.service.adjust(
                    program: stack.program, customerID: customerID,
                    AdjustmentRequest(
                        points: points, reason: "random adjustment", expiresAfterDays: step.c % 2 == 0 ? 15 : nil),
                    actor: "property", idempotencyKey: next("adj"))
                adjustments.append(result)
            } catch DomainError.refused(let code, _) {
                #expect(points < 0 && code == "insufficient_points")
            }
        default:
            stack.advance(days: Double(step.c % 12) + Double(step.b % 24) / 24)
            if step.a % 2 == 0 { _ = try await stack.service.expirePoints(program: stack.program) }
        }
    }

    /// Everything the ledger must agree with after the history.
    func check(on stack: TestStack) async throws {
        var entries: [LedgerEntry] = []
        for customer in customers {
            try await stack.checkBalance(customer)
            entries += try await stack.entries(customer)
        }
        #expect(Set(entries.map(\.id)).count == entries.count)
        for (input, result) in orders {
            let earned = entries.filter { $0.sourceType == .order && $0.sourceID == input.orderID }
            #expect(
                earned.count == result.awards.count && earned.reduce(0) { $0 + $1.points } == result.pointsEarned,
                "order \(input.orderID) earned once")
            let view = try await stack.service.order(program: stack.program, id: input.orderID)
            let mine = returns.filter { $0.orderID == input.orderID }.map(\.result.return)
            let reversed = mine.reduce(Int64(0)) { $0 + $1.pointsReversed }
            let unrecovered = mine.reduce(Int64(0)) { $0 + $1.pointsUnrecovered }
            #expect(view.pointsReversed <= view.pointsEarned && reversed <= view.pointsEarned, "order \(input.orderID)")
            #expect(view.pointsReversed == reversed + unrecovered, "order \(input.orderID)")
        }
        for (_, input, result) in returns {
            let taken = entries.filter { $0.sourceType == .return && $0.sourceID == input.returnID }
            #expect(
                -taken.reduce(0) { $0 + $1.points } == result.return.pointsReversed, "return \(input.returnID) once")
        }
        for returnID in rejectedReturnIDs {
            #expect(!entries.contains { $0.sourceID == returnID }, "rejected return \(returnID) wrote nothing")
        }
        let redeemed = entries.filter { $0.kind == .redeem }
        #expect(redeemed.count == redemptions.count)
        for redemption in redemptions {
            let mine = redeemed.filter { $0.sourceID == redemption.result.redemptionID }
            #expect(mine.map(\.points) == [-redemption.result.points], "key \(redemption.key) once")
        }
        #expect(entries.filter { $0.kind == .adjust }.count == adjustments.count)
        let expiredLots = entries.filter { $0.kind == .expire }.compactMap(\.sourceID)
        #expect(Set(expiredLots).count == expiredLots.count, "each lot expires at most once")
    }
}

@Suite struct LedgerStorePropertyTests {
    @Test(.shrinking(false)) func randomHistoriesKeepTheLedgerConsistent() async {
        await propertyCheck(count: 30, input: ServiceScenario.variant, ServiceScenario.steps) { variant, steps in
            var settings = ProgramSettings(currency: TestStack.eur)
            settings.pendingDays = [0, 7][variant % 2]
            settings.pointsExpireAfterDays = [nil, 20][variant / 2]
            do {
                try await withStack(settings: settings, rules: ServiceScenario.rules) { stack in
                    var history = ServiceHistory()
                    history.customers = [
                        try await stack.customer(email: "ann@example.com"),
                        try await stack.customer(email: "bob@example.com"),
                    ]
                    history.adjustments.append(try await stack.grant(150, to: history.customers[0]))
                    for step in steps {
                        try await history.perform(step, on: stack)
                    }
                    try await history.check(on: stack)
                }
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        }
    }
}
