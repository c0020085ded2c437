import Foundation
import PropertyBased
import RetainCore
import Testing

/// One random order line: `kind` 0…3 is the category `c0`…`c3`; kind 3 is the excluded gift-card SKU.
struct LineSpec: Sendable {
    var quantity: Int64
    var unitPrice: Int64
    var kind: Int
}

/// One random operation; `op` picks the kind (see `LedgerModel.perform`), `a`/`b`/`c` its parameters, and
/// `advance` how many seconds pass before it.
struct Step: Sendable {
    var op: Int
    var a: Int
    var b: Int
    var c: Int
    var advance: Int
    var lines: [LineSpec]
}

enum LedgerScenario {
    static let line = zip(Gen.int64(in: 1...4), Gen.int64(in: 0...5000), Gen.int(in: 0...3))
        .map { LineSpec(quantity: $0.0, unitPrice: $0.1, kind: $0.2) }
    static let step = zip(
        Gen.int(in: 0...99), Gen.int(in: 0...10_000), Gen.int(in: 0...10_000),
        Gen.int(in: 0...10_000), Gen.int(in: 0...(20 * 86_400)), line.array(of: 0...4)
    )
    .map { Step(op: $0.0, a: $0.1, b: $0.2, c: $0.3, advance: $0.4, lines: $0.5) }
    static let steps = step.array(of: 1...40)
    /// Program variants: pending days 0 / 7 × expiry never / 10 / 60 days.
    static let variant = Gen.int(in: 0...5)
}

/// The ledger as a service keeps it: a store of lots, entries and draws, orders and returns by their idempotency
/// keys. Every operation loads the open lots into a `Wallet`, runs a use case and writes `wallet.changes` back.
struct LedgerModel {
    let settings: ProgramSettings
    let rules: [EarningRule] = [
        EarningRule(
            id: "base", name: "1 per 1.00", kind: .pointsPerAmount, priority: 10, points: 1, perAmount: 100,
            rounding: .nearest),
        EarningRule(
            id: "cb", name: "3% on c2", kind: .cashback, conditions: .init(categories: ["c2"]),
            percent: Hundredths(300), expiresAfterDays: 20),
        EarningRule(
            id: "x15", name: "×1.5 on c1", kind: .multiplier, conditions: .init(categories: ["c1"]),
            factor: Hundredths(150)),
        EarningRule(
            id: "bonus", name: "big basket", kind: .orderBonus, conditions: .init(minOrderAmount: 5000),
            points: 25),
        EarningRule(id: "gift", name: "gift cards", kind: .exclusion, conditions: .init(skus: ["GIFT"])),
    ]
    let ids = SequentialIDGenerator()
    var now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    var lots: [String: PointLot] = [:]
    var entries: [LedgerEntry] = []
    var draws: [LotDraw] = []
    var orders: [String: OrderRecord] = [:]
    var returns: [String: (input: ReturnInput, record: ReturnRecord)] = [:]
    /// Whether anything other than a return's own reversal has taken points (redemption, admin debit, expiry).
    var foreignDebit = false
    var counter = 0

    init(variant: Int) {
        settings = ProgramSettings(
            currency: Currency(code: "EUR")!, pendingDays: [0, 7][variant % 2],
            pointsExpireAfterDays: [nil, 10, 60][variant / 2])
    }

    mutating func transact<T>(_ body: (inout Wallet) throws -> T) rethrows -> T {
        let open = lots.values.filter { $0.remaining > 0 }.sorted { $0.id < $1.id }
        var wallet = Wallet(programID: "p", customerID: "c", openLots: open, ids: ids)
        let result = try body(&wallet)
        let changes = wallet.changes
        entries += changes.entries
        draws += changes.draws
        for lot in changes.newLots {
            #expect(lots[lot.id] == nil, "lot \(lot.id) written twice")
            lots[lot.id] = lot
        }
        for (id, remaining) in changes.lotRemaining {
            #expect(lots[id] != nil, "remaining for unknown lot \(id)")
            lots[id]?.remaining = remaining
        }
        // What the wallet holds afterwards is exactly what the store now has open.
        let stored = Dictionary(
            uniqueKeysWithValues: lots.values.filter { $0.remaining > 0 }.map { ($0.id, $0.remaining) })
        #expect(Dictionary(uniqueKeysWithValues: wallet.lots.map { ($0.id, $0.remaining) }) == stored)
        return result
    }

    mutating func perform(_ step: Step) {
        now += TimeInterval(step.advance)
        counter += 1
        switch step.op {
        case 0..<30: placeOrder(step)
        case 30..<38:  // retry of an order id already seen
            guard let id = orders.keys.sorted().element(step.a) else { return }
            let before = entries.count
            submitOrder(orders[id]!.input)
            #expect(entries.count == before, "retry of \(id) wrote entries")
        case 38..<52: returnSome(step, whole: false)
        case 52..<60: returnSome(step, whole: true)
        case 60..<66:  // retry of a return id already seen
            guard let id = returns.keys.sorted().element(step.a), let stored = returns[id] else { return }
            let before = entries.count
            submitReturn(stored.input, orderID: stored.record.orderID, expectAccepted: nil)
            #expect(entries.count == before, "retry of \(id) wrote entries")
        case 66..<78: redeem(points: Int64(1 + step.a % 300))
        case 78..<88: adjust(step)
        default: expire()
        }
    }

    mutating func placeOrder(_ step: Step) {
        let lines = step.lines.enumerated().map { index, spec in
            OrderLine(
                sku: spec.kind == 3 ? "GIFT" : "L\(index)", category: "c\(spec.kind)", quantity: spec.quantity,
                unitPrice: spec.unitPrice)
        }
        let gross = lines.reduce(Int64(0)) { $0 + $1.quantity * $1.unitPrice }
        submitOrder(
            OrderInput(
                orderID: "o-\(counter)", customer: CustomerReference(externalID: "c"), placedAt: now, currency: "EUR",
                lines: lines, discount: gross * Int64(step.b % 300) / 1000, total: lines.isEmpty ? Int64(step.a) : nil))
    }

    mutating func submitOrder(_ input: OrderInput) {
        guard let valid = try? input.validated(for: settings) else {
            Issue.record("generated order \(input.orderID) was rejected")
            return
        }
        let (rules, settings, now) = (rules, settings, now)
        if let existing = orders[valid.orderID] {
            // A retry replays the stored answer; evaluating the same order again gives the same awards.
            #expect(
                EarningEngine.evaluate(order: valid, rules: rules, settings: settings) == existing.awards.map(\.award))
            return
        }
        let record = transact {
            OrderPosting.post(valid, customerID: "c", rules: rules, settings: settings, wallet: &$0, now: now)
        }
        orders[valid.orderID] = record
    }

    mutating func returnSome(_ step: Step, whole: Bool) {
        guard let orderID = orders.keys.sorted().element(step.a), let record = orders[orderID] else { return }
        let left = zip(record.lineUnits, record.returnedUnits).map { $0 - $1 }
        let returnID = "r-\(counter)"
        if whole {
            submitReturn(
                ReturnInput(returnID: returnID, whole: true), orderID: orderID,
                expectAccepted: left.contains { $0 > 0 })
        } else if record.input.lines.isEmpty {
            let amount = Int64(1 + step.c % Int(max(record.input.paid, 1)))
            submitReturn(
                ReturnInput(returnID: returnID, amount: amount), orderID: orderID,
                expectAccepted: amount <= left[0])
        } else {
            let line = step.b % record.input.lines.count
            let quantity = Int64(1 + step.c % 3)
            submitReturn(
                ReturnInput(returnID: returnID, lines: [.init(lineNumber: line, quantity: quantity)]),
                orderID: orderID, expectAccepted: quantity <= left[line])
        }
    }

    mutating func submitReturn(_ input: ReturnInput, orderID: String, expectAccepted: Bool?) {
        if let existing = returns[input.returnID] {
            #expect(existing.record.orderID == orderID)
            return
        }
        guard var record = orders[orderID] else { return }
        let units: [Int64]
        do {
            units = try OrderPosting.resolve(input, against: record)
        } catch {
            #expect(expectAccepted == false, "return \(input) of \(record.returnedUnits) refused: \(error)")
            return
        }
        #expect(expectAccepted != false, "return \(input) of \(record.returnedUnits) accepted")
        let now = now
        let result = transact {
            OrderPosting.applyReturn(input, units: units, to: &record, wallet: &$0, at: now, now: now)
        }
        orders[orderID] = record
        returns[input.returnID] = (input, result)
        if record.status == .returned && !foreignDebit {
            // (c) nothing else took points since the start, so a full return takes back exactly what was earned.
            let all = returns.values.filter { $0.record.orderID == orderID }
            #expect(all.reduce(0) { $0 + $1.record.pointsReversed } == record.pointsEarned, "\(orderID)")
            #expect(all.allSatisfy { $0.record.pointsUnrecovered == 0 })
        }
    }

    mutating func redeem(points: Int64) {
        let (now, id) = (now, "red-\(counter)")
        let (available, result) = transact { wallet in
            (
                wallet.available(at: now),
                wallet.debit(
                    points, kind: .redeem, policy: .availableOnly, allowPartial: false,
                    reason: "redeem", source: .redemption, sourceID: id, at: now,
                    now: now)
            )
        }
        if available >= points {
            #expect(result.entry?.points == -points && result.shortfall == 0)
            foreignDebit = true
        } else {
            #expect(result.entry == nil && result.shortfall == points)
        }
    }

    mutating func adjust(_ step: Step) {
        let (now, points) = (now, Int64(1 + step.a % 150))
        if step.b % 2 == 0 {
            let expiry = step.c % 3 == 0 ? now + 30 * 86_400 : nil
            _ = transact {
                $0.credit(
                    points, kind: .adjust, reason: "goodwill", source: .admin, sourceID: nil, actor: "admin",
                    at: now, expiresAt: expiry, now: now)
            }
        } else {
            let result = transact {
                $0.debit(
                    points, kind: .adjust, policy: .availableThenPending, allowPartial: step.c % 2 == 0,
                    reason: "correction", source: .admin, sourceID: nil, actor: "admin", at: now, now: now)
            }
            if result.entry != nil { foreignDebit = true }
        }
    }

    mutating func expire() {
        let now = now
        let written = transact { $0.expireDue(at: now, now: now) }
        if !written.isEmpty { foreignDebit = true }
        #expect(written.allSatisfy { $0.at <= now && $0.kind == .expire && $0.points < 0 })
    }
}

extension Array {
    /// The element at `index` modulo the count, or nil when empty.
    func element(_ index: Int) -> Element? { isEmpty ? nil : self[index % count] }
}
