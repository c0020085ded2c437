import Foundation
import RetainCore
import RetainServices
import Testing

/// An expiry report as [customers, entries, points].
func counts(_ report: ExpiryReport) -> [Int64] { [Int64(report.customers), Int64(report.entries), report.points] }

@Suite struct ExpiryTests {
    static func expiringSettings(days: Int = 30) -> ProgramSettings {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pointsExpireAfterDays = days
        return settings
    }

    /// Ann earns 100 on day 0 and 50 on day 10 (both expire after 30 days); Bob earns 70 on day 5.
    func history(_ stack: TestStack) async throws -> (ann: String, bob: String) {
        let ann = try await stack.customer(email: "ann@example.com")
        let bob = try await stack.customer(email: "bob@example.com")
        try await stack.record(stack.order("a-1", CustomerReference(customerID: ann), total: 10_000))
        stack.advance(days: 5)
        try await stack.record(stack.order("b-1", CustomerReference(customerID: bob), total: 7_000))
        stack.advance(days: 5)
        try await stack.record(stack.order("a-2", CustomerReference(customerID: ann), total: 5_000))
        return (ann, bob)
    }

    @Test func pointsExpireAfterTheProgramsDaysAndASecondRunWritesNothing() async throws {
        try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro]) { stack in
            let (ann, bob) = try await history(stack)
            let early = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(early) == [0, 0, 0])
            stack.clock.set(TestStack.start.addingTimeInterval(30 * TestStack.day))  // a-1 expires exactly now
            let first = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(first) == [1, 1, 100])
            let second = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(second) == [0, 0, 0])
            #expect(try await stack.checkBalance(ann) == 50)
            #expect(try await stack.checkBalance(bob) == 70)
            let expired = try await stack.entries(ann).filter { $0.kind == .expire }
            #expect(expired.map(\.points) == [-100])
        }
    }

    @Test func concurrentRunsWriteTheSameLedgerAsOneRun() async throws {
        let single = try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro]) { stack in
            let (ann, bob) = try await history(stack)
            stack.advance(days: 40)
            let report = try await stack.service.expirePoints(program: stack.program)
            return (report, try await stack.entries(ann) + stack.entries(bob))
        }
        #expect(counts(single.0) == [2, 3, 220])
        let racing = try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro]) { stack in
            let (ann, bob) = try await history(stack)
            stack.advance(days: 40)
            let service = stack.service
            let program = stack.program
            async let one = service.expirePoints(program: program)
            async let two = service.expirePoints(program: program)
            let reports = try await [one, two]
            try await stack.checkBalance(ann)
            try await stack.checkBalance(bob)
            return (reports, try await stack.entries(ann) + stack.entries(bob))
        }
        #expect(racing.0.map(\.points).sorted() == [0, 220])
        // Entry ids aside: they come from the id generator, and a transaction PostgreSQL retried has drawn more.
        func withoutIDs(_ entries: [LedgerEntry]) -> [LedgerEntry] {
            entries.map {
                var entry = $0
                entry.id = ""
                return entry
            }
        }
        #expect(withoutIDs(racing.1) == withoutIDs(single.1))
        #expect(racing.1.filter { $0.kind == .expire }.count == 3)
    }

    @Test func aRunAfterDowntimeDatesEachEntryAtItsLotsExpiry() async throws {
        try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro]) { stack in
            let (ann, bob) = try await history(stack)
            stack.advance(days: 40)  // day 50: every lot expired between day 30 and day 40
            let runAt = stack.now
            let report = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(report) == [2, 3, 220])
            let annExpired = try await stack.entries(ann).filter { $0.kind == .expire }
            #expect(
                annExpired.map(\.at) == [
                    TestStack.start.addingTimeInterval(30 * TestStack.day),
                    TestStack.start.addingTimeInterval(40 * TestStack.day),
                ])
            #expect(annExpired.map(\.points) == [-100, -50])
            #expect(annExpired.allSatisfy { $0.createdAt == runAt && $0.sourceType == .expiry })
            let bobExpired = try await stack.entries(bob).filter { $0.kind == .expire }
            #expect(bobExpired.map(\.at) == [TestStack.start.addingTimeInterval(35 * TestStack.day)])
            #expect(try await stack.checkBalance(ann) == 0)
            #expect(try await stack.checkBalance(bob) == 0)
        }
    }

    @Test func aRunAsOfAnEarlierTimeExpiresOnlyWhatWasDueThen() async throws {
        try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro]) { stack in
            let (ann, bob) = try await history(stack)
            stack.advance(days: 40)
            let report = try await stack.service.expirePoints(
                program: stack.program, asOf: TestStack.start.addingTimeInterval(36 * TestStack.day))
            #expect(counts(report) == [2, 2, 170])
            #expect(try await stack.checkBalance(ann) == 50)
            #expect(try await stack.checkBalance(bob) == 0)
        }
    }

    @Test func expiredPointsAreNotSpendableBeforeTheJobRuns() async throws {
        try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro]) { stack in
            let (ann, _) = try await history(stack)
            stack.clock.set(TestStack.start.addingTimeInterval(31 * TestStack.day))
            let wallet = try await stack.wallet(ann)
            #expect(wallet.balance == 150 && wallet.available == 50 && wallet.awaitingExpiry == 100)
            let error = await caught { try await stack.redeem(ann, RedemptionRequest(points: 51)) }
            #expect(error.refusalCode == "insufficient_points")
            #expect(try await stack.entries(ann).filter { $0.kind == .expire }.isEmpty)
            // A write for the customer writes off the expired lot on its way; the job then finds nothing.
            let spent = try await stack.redeem(ann, RedemptionRequest(points: 50))
            #expect(spent.wallet.balance == 0 && spent.wallet.awaitingExpiry == 0)
            let entries = try await stack.entries(ann)
            #expect(entries.filter { $0.kind == .expire }.map(\.points) == [-100])
            #expect(try await stack.checkBalance(ann) == 0)
            let report = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(report) == [0, 0, 0])
        }
    }

    @Test func aRulesOwnExpiryOverridesTheProgram() async throws {
        var bonus = EarningRule(id: "bonus", name: "bonus", kind: .orderBonus, points: 20)
        bonus.expiresAfterDays = 5
        try await withStack(settings: Self.expiringSettings(), rules: [onePerEuro, bonus]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 1_000))
            stack.advance(days: 6)
            let report = try await stack.service.expirePoints(program: stack.program)
            #expect(report.points == 20)
            #expect(try await stack.checkBalance(ann) == 10)
        }
    }
}
