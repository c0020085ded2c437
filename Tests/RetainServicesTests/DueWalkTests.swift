import Foundation
import PropertyBased
import RetainCore
import RetainServices
import RetainStore
import Testing

/// The scheduled job walks what fell due — lots with points left past their expiry, memberships past their review
/// date — in order of that date then an id, a page at a time. Whatever the ties between dates and however the
/// pages fall, the walk must find each due row once, in that order, and nothing else.
@Suite struct DueWalkTests {
    /// A lot as the property draws it: customer 0–4, expiry day 0–5 or none, points left 0–2.
    struct DrawnLot: Sendable, CustomStringConvertible {
        var customer: Int
        var day: Int?
        var remaining: Int64
        var description: String { "c\(customer) d\(day.map(String.init) ?? "-") r\(remaining)" }
    }

    static let lot = zip(Gen.int(in: 0...4), Gen.int(in: -1...5), Gen.int64(in: 0...2))
        .map { DrawnLot(customer: $0.0, day: $0.1 < 0 ? nil : $0.1, remaining: $0.2) }
    /// Membership review days per customer (none for -1).
    static let reviewDay = Gen.int(in: -1...5)

    static func day(_ number: Int) -> Date { TestStack.start.addingTimeInterval(Double(number) * TestStack.day) }

    /// Every page of a walk, until it says it is done.
    static func walk(
        _ page: (DueCursor?) async throws -> DuePage
    ) async throws -> [[String]] {
        var pages: [[String]] = []
        var cursor: DueCursor?
        repeat {
            let next = try await page(cursor)
            pages.append(next.customerIDs)
            cursor = next.next
            if pages.count > 50 { Issue.record("the walk does not end"); break }
        } while cursor != nil
        return pages
    }

    /// The pages a walk over `due` (already in walk order) must give: `limit` rows a page, each page's customers
    /// once in the order first seen, and an empty last page when the rows fill the pages exactly.
    static func expectedPages(_ due: [String], limit: Int) -> [[String]] {
        var pages = stride(from: 0, to: due.count, by: limit).map { start in
            var seen = Set<String>()
            return due[start..<min(start + limit, due.count)].filter { seen.insert($0).inserted }
        }
        if due.count % limit == 0 { pages.append([]) }
        return pages
    }

    @Test func theExpiredLotsWalkFindsEachDueLotOnceInExpiryOrder() async {
        await propertyCheck(count: 15, input: Self.lot.array(of: 0...24), Gen.int(in: 0...6), Gen.int(in: 1...4)) {
            drawn, asOfDay, limit in
            do {
                try await withStack { stack in
                    let lots = drawn.enumerated().map { index, lot in
                        PointLot(
                            id: String(format: "lot-%02d", index), programID: stack.program,
                            customerID: "cus-\(lot.customer)", points: 2, remaining: lot.remaining,
                            awardedAt: TestStack.start, maturesAt: TestStack.start, expiresAt: lot.day.map(Self.day),
                            entryID: "ent-\(index)")
                    }
                    var newLots = LedgerChanges()
                    newLots.newLots = lots
                    let changes = newLots
                    let asOf = Self.day(asOfDay)
                    let pages = try await stack.store.write(program: stack.program) { session in
                        try await session.apply(changes)
                        return try await Self.walk { cursor in
                            try await session.customersWithExpiredLots(asOf: asOf, after: cursor, limit: limit)
                        }
                    }
                    let due = lots.filter { $0.remaining > 0 && $0.expiresAt.map { $0 <= asOf } == true }
                        .sorted { ($0.expiresAt!, $0.id) < ($1.expiresAt!, $1.id) }
                    #expect(pages == Self.expectedPages(due.map(\.customerID), limit: limit))
                }
            } catch {
                Issue.record(error)
            }
        }
    }

    @Test func theDueMembershipsWalkFindsEachDueMembershipOnceInDateOrder() async {
        await propertyCheck(count: 15, input: Self.reviewDay.array(of: 0...20), Gen.int(in: 0...6), Gen.int(in: 1...4))
        {
            days, asOfDay, limit in
            do {
                try await withStack { stack in
                    let memberships = days.enumerated().map { index, day in
                        (
                            membership: Membership(customerID: String(format: "cus-%02d", index)), tierID: String?.none,
                            dueAt: day < 0 ? nil : Self.day(day)
                        )
                    }
                    let asOf = Self.day(asOfDay)
                    let pages = try await stack.store.write(program: stack.program) { session in
                        try await session.saveMemberships(memberships)
                        return try await Self.walk { cursor in
                            try await session.customersWithDueMemberships(asOf: asOf, after: cursor, limit: limit)
                        }
                    }
                    let due = memberships.compactMap { item in item.dueAt.map { ($0, item.membership.customerID) } }
                        .filter { $0.0 <= asOf }.sorted { $0 < $1 }
                    #expect(pages == Self.expectedPages(due.map(\.1), limit: limit))
                }
            } catch {
                Issue.record(error)
            }
        }
    }

    /// More customers with due lots than one transaction takes (2,000 lots), with ties on the expiry dates across
    /// the page boundary: every due lot is written off once, the others stay, and a second run finds nothing.
    @Test func aRunOverMoreLotsThanOnePageWritesEachDueLotOffOnce() async throws {
        try await withStack { stack in
            var changes = LedgerChanges()
            let customers = (0..<2_100).map { String(format: "cus-%04d", $0) }
            for (index, customerID) in customers.enumerated() {
                var wallet = Wallet(
                    programID: stack.program, customerID: customerID, openLots: [], ids: stack.environment.ids)
                // One lot due on day 10, 20 or 30, and one due only on day 100.
                for (points, day) in [(Int64(1 + index % 3), [10, 20, 30][index % 3]), (5, 100)] {
                    wallet.credit(
                        points, kind: .earn, reason: "test", source: .admin, sourceID: nil, actor: "test",
                        at: TestStack.start, expiresAt: Self.day(day), now: TestStack.start)
                }
                changes.append(wallet.takeChanges())
            }
            let written = changes
            try await stack.store.write(program: stack.program) { try await $0.apply(written) }
            stack.clock.set(Self.day(40))
            let first = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(first) == [2_100, 2_100, Int64(700 * (1 + 2 + 3))])
            let second = try await stack.service.expirePoints(program: stack.program)
            #expect(counts(second) == [0, 0, 0])
            let open = try await stack.store.read(program: stack.program) {
                try await $0.openLots(customerIDs: customers)
            }
            #expect(open.count == 2_100 && open.allSatisfy { $0.remaining == 5 && $0.expiresAt == Self.day(100) })
        }
    }
}
