import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct AutomaticRewardTests {
    static let gift = Reward(
        id: "gift-50", name: "Gift certificate 50.00", kind: .giftCertificate, points: 0, value: 5_000, validDays: 365)
    static let automatic: [AutomaticReward] = [
        .init(id: "birthday", name: "Birthday bonus", trigger: .birthday, points: 200, lead: .daysBefore, days: 7),
        .init(id: "one-year", name: "A year with us", trigger: .anniversary, points: 500, years: 1),
        .init(id: "big-spender", name: "Spent 100.00", trigger: .spendThreshold, rewardID: "gift-50", amount: 10_000),
        .init(id: "third", name: "Third purchase", trigger: .nthPurchase, points: 50, count: 3),
        .init(id: "first-review", name: "First review", trigger: .firstEvent, points: 30, eventName: "review"),
    ]

    func configure(_ stack: TestStack) async throws {
        _ = try await stack.service.saveConfiguration(
            program: stack.program, LoyaltyConfiguration(rewards: [Self.gift], automaticRewards: Self.automatic),
            actor: "tests")
    }

    func customer(_ stack: TestStack, email: String, birthday: String?, zone: String?) async throws -> String {
        var fields = CustomerFields()
        fields.email = email
        fields.birthday = birthday
        fields.timeZone = zone
        return try await stack.service.createCustomer(program: stack.program, fields: fields, idempotencyKey: nil)
            .customer.id
    }

    func entries(_ stack: TestStack, _ customer: String) async throws -> [String] {
        try await stack.entries(customer).filter { $0.sourceType == .automatic }.map { "\($0.sourceID!) \($0.points)" }
    }

    @Test func birthdaysComeOnTheLeadDayInTheCustomersZoneOncePerYearAndCatchUpAfterDowntime() async throws {
        try await withStack { stack in
            try await configure(stack)
            let kei = try await customer(stack, email: "kei@example.com", birthday: "1990-03-15", zone: "Asia/Tokyo")
            let job = { try await stack.service.expirePoints(program: stack.program).calendarRewards }
            stack.clock.set(utc("2026-03-07T14:00:00Z"))  // 23:00 on 7 March in Tokyo
            #expect(try await job() == 0)
            stack.clock.set(utc("2026-03-07T15:30:00Z"))  // 00:30 on 8 March in Tokyo: 7 days before
            #expect(try await job() == 1)
            #expect(try await job() == 0)
            stack.clock.set(utc("2026-03-20T00:00:00Z"))
            #expect(try await job() == 0)
            // The server was down over next year's date; the run three weeks late still gives it, once.
            stack.clock.set(utc("2027-03-30T00:00:00Z"))
            #expect(try await job() == 1)
            #expect(try await job() == 0)
            #expect(try await entries(stack, kei) == ["birthday 200", "birthday 200"])
            let dates = try await stack.entries(kei).filter { $0.sourceType == .automatic }.map(\.at)
            #expect(dates == [utc("2026-03-07T15:00:00Z"), utc("2027-03-07T15:00:00Z")])
        }
    }

    @Test func anAnniversaryPurchasesAndAFirstReviewEachGiveOnce() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            try await configure(stack)
            let lea = try await customer(stack, email: "lea@example.com", birthday: nil, zone: nil)
            let ref = CustomerReference(customerID: lea)
            for index in 1...4 {
                try await stack.record(stack.order("o-\(index)", ref, total: 4_000))
                stack.advance(days: 1)
            }
            // The 3rd order crosses both 100.00 of spend and the third purchase.
            #expect(try await entries(stack, lea) == ["third 50"])
            let rewards = try await stack.service.rewardInstances(program: stack.program, customerID: lea).rewards
            #expect(rewards.map(\.source) == ["automatic:big-spender"])

            let review = { (id: String) in
                try await stack.service.recordEvent(
                    program: stack.program,
                    EventInput(eventID: id, name: "review", customer: ref, occurredAt: stack.now))
            }
            #expect(try await review("rv-1").pointsAwarded == 30)
            #expect(try await review("rv-2").pointsAwarded == 0)

            stack.clock.set(TestStack.start.addingTimeInterval(365 * TestStack.day + 3600))
            #expect(try await stack.service.expirePoints(program: stack.program).calendarRewards == 1)
            #expect(try await stack.service.expirePoints(program: stack.program).calendarRewards == 0)
            #expect(try await entries(stack, lea) == ["third 50", "first-review 30", "one-year 500"])
            #expect(try await stack.checkBalance(lea) == 160 + 50 + 30 + 500)
        }
    }

    @Test func badAutomaticRewardsNameTheirFields() async throws {
        try await withStack { stack in
            let bad = LoyaltyConfiguration(automaticRewards: [
                .init(id: "a", name: "A", trigger: .birthday, lead: .daysBefore),
                .init(id: "b", name: "B", trigger: .spendThreshold, rewardID: "nope"),
            ])
            let error = await caught {
                _ = try await stack.service.saveConfiguration(program: stack.program, bad, actor: "tests")
            }
            #expect(
                error.invalidFields == [
                    "automatic_rewards[0].points", "automatic_rewards[0].days", "automatic_rewards[1].reward_id",
                    "automatic_rewards[1].amount",
                ])
        }
    }
}
