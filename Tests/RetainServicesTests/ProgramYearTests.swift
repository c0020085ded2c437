import Foundation
import RetainCore
import RetainServices
import Testing

/// One customer's year under the whole program — tiers, a stamp card, points that expire after 90 days, a birthday
/// and a third-purchase reward — replayed twice: once with the scheduled job every day, once with the job only
/// every 30 days (a month of downtime) run twice at the same time. Both must end with the same ledger.
@Suite struct ProgramYearTests {
    static let configuration = LoyaltyConfiguration(
        tiers: calendarLadder,
        stampCards: [
            StampCard(
                id: "mug", name: "Every 6th mug free", stamps: 5, per: .item, conditions: .init(skus: ["MUG"]),
                reward: .init(points: 500))
        ],
        automaticRewards: [
            .init(id: "birthday", name: "Birthday bonus", trigger: .birthday, points: 100, lead: .birthday),
            .init(id: "third", name: "Third purchase", trigger: .nthPurchase, points: 50, count: 3),
        ])

    /// (day of 2026, order id, mugs, other amount) — or a whole return of an order when mugs is -1.
    static let year: [(Int, String, Int64, Int64)] = [
        (10, "o-1", 2, 10_000), (40, "o-2", 3, 20_000), (70, "o-3", 1, 5_000), (75, "o-2", -1, 0),
        (120, "o-4", 4, 60_000), (200, "o-5", 0, 30_000), (300, "o-6", 2, 80_000), (330, "o-4", -1, 0),
    ]

    /// Replays the year to 15 February 2027; `daily` runs the job every day, otherwise every 30 days (a month of
    /// downtime each time) as two runs at once. Returns the customer's ledger as comparable lines, and the tier and
    /// stamps at the end.
    func replay(daily: Bool) async throws -> (ledger: [String], tier: String, stamps: Int, completed: Int) {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pointsExpireAfterDays = 90
        return try await withStack(settings: settings, rules: [onePerEuro]) { stack in
            _ = try await stack.service.saveConfiguration(
                program: stack.program, Self.configuration, actor: "tests")
            var fields = CustomerFields()
            fields.email = "year@example.com"
            fields.birthday = "1985-06-15"
            let customer = try await stack.service.createCustomer(
                program: stack.program, fields: fields, idempotencyKey: nil
            ).customer.id
            let ref = CustomerReference(customerID: customer)
            let start = utc("2026-01-01T12:00:00Z")
            for day in 1...410 {
                if daily || day % 30 == 0 || day == 410 {
                    stack.clock.set(start.addingTimeInterval(Double(day) * TestStack.day - 3600))
                    if daily {
                        _ = try await stack.service.expirePoints(program: stack.program)
                    } else {
                        async let first = stack.service.expirePoints(program: stack.program)
                        async let second = stack.service.expirePoints(program: stack.program)
                        _ = try await (first, second)
                    }
                }
                for (when, orderID, mugs, other) in Self.year where when == day {
                    stack.clock.set(start.addingTimeInterval(Double(day) * TestStack.day))
                    if mugs < 0 {
                        try await stack.returnOrder(orderID, ReturnInput(returnID: "r-\(orderID)", whole: true))
                    } else {
                        var lines = [OrderLine(sku: "TEA", quantity: 1, unitPrice: other)]
                        if mugs > 0 { lines.append(OrderLine(sku: "MUG", quantity: mugs, unitPrice: 1_000)) }
                        try await stack.record(stack.order(orderID, ref, lines: lines))
                    }
                    try await stack.checkBalance(customer)
                }
            }
            try await stack.checkBalance(customer)
            let entries = try await stack.entries(customer)
            func describe(_ entry: LedgerEntry) -> String {
                "\(RFC3339.string(entry.at)) \(entry.kind.rawValue) \(entry.points) \(entry.sourceType.rawValue)"
                    + (entry.kind == .expire ? "" : " \(entry.sourceID ?? "")")
            }
            // An expiry names its lot by the award that made it: lot ids are drawn from the id generator, and a
            // transaction that PostgreSQL retried has drawn some more.
            var awards: [String: String] = [:]
            for entry in entries where entry.kind == .earn {
                if let lot = entry.lotID {
                    awards[lot] = "\(RFC3339.string(entry.at)) \(entry.sourceType.rawValue) \(entry.sourceID ?? "")"
                }
            }
            let ledger = entries.map { entry in
                entry.kind == .expire
                    ? "\(describe(entry)) the lot of \(awards[entry.sourceID ?? ""] ?? "?")" : describe(entry)
            }
            let tier = try await stack.service.tierProgress(program: stack.program, customerID: customer).tierID
            let card = try await stack.service.stampCards(program: stack.program, customerID: customer).cards[0]
            return (ledger.sorted(), tier, card.stamps, card.completed)
        }
    }

    @Test func theJobDailyOrMonthlyTwiceAtOnceWritesTheSameLedger() async throws {
        let daily = try await replay(daily: true)
        let late = try await replay(daily: false)
        #expect(daily.ledger == late.ledger)
        #expect(daily.tier == late.tier && daily.stamps == late.stamps && daily.completed == late.completed)

        // What the year gave: o-1 (2 mugs) and o-2 (3 mugs) fill the mug card (500 points); returning o-2 takes
        // its 3 stamps back, all from the rewarded card, so they are owed and paid by o-3's mug and 2 of o-4's; the
        // 3rd purchase pays 50; the birthday 100 on 15 June; Gold (reached with o-6 on day 300) gives 200.
        let kinds = Set(daily.ledger.map { String($0.split(separator: " ")[1]) })
        #expect(kinds == ["earn", "reverse", "expire"])
        #expect(daily.ledger.filter { $0.contains("earn 500 stamp_card mug") }.count == 1)
        #expect(
            daily.ledger.contains { $0.hasPrefix("2026-06-15T00:00:00") && $0.contains("earn 100 automatic birthday") })
        #expect(daily.ledger.filter { $0.contains("earn 50 automatic third") }.count == 1)
        #expect(daily.ledger.filter { $0.contains("earn 200 tier gold") }.count == 1)
        // o-4 (2 open stamps) is returned on day 330: they come off, leaving o-6's 2.
        #expect(daily.stamps == 2 && daily.completed == 1)
        // Every lot expires 90 days after its award: by 15 February 2027 nothing is left.
        #expect(daily.ledger.reduce(Int64(0)) { $0 + Int64($1.split(separator: " ")[2])! } == 0)
        // 2026 spend after returns is 1,300.00: reviewed on 31 January 2027, Gold steps down to Silver.
        #expect(daily.tier == "silver")
    }
}
