import Foundation
import RetainCore
import Testing

@Suite struct WalletTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400
    let t0 = WalletTests.t0
    let day = WalletTests.day

    func lot(_ id: String, _ points: Int64, awarded: Date, matures: Date? = nil, expires: Date?) -> PointLot {
        PointLot(
            id: id, programID: "p", customerID: "c", points: points, remaining: points, awardedAt: awarded,
            maturesAt: matures ?? awarded, expiresAt: expires, entryID: "ent_" + id)
    }

    func wallet(_ lots: [PointLot]) -> Wallet {
        Wallet(programID: "p", customerID: "c", openLots: lots, ids: SequentialIDGenerator())
    }

    @discardableResult
    func redeem(
        _ wallet: inout Wallet, _ points: Int64, partial: Bool = false, policy: Wallet.DrawPolicy = .availableOnly,
        at: Date
    ) -> (entry: LedgerEntry?, shortfall: Int64) {
        wallet.debit(
            points, kind: .redeem, policy: policy, allowPartial: partial, reason: "test", source: .redemption,
            sourceID: "r", at: at, now: at)
    }

    @Test func spendsSoonestExpiryFirstThenOldestAndNoExpiryLast() {
        var w = wallet([
            lot("a_forever_old", 10, awarded: t0, expires: nil),
            lot("b_late", 10, awarded: t0, expires: t0 + 300 * day),
            lot("c_soon_new", 10, awarded: t0 + 2 * day, expires: t0 + 100 * day),
            lot("d_soon_old", 10, awarded: t0 + day, expires: t0 + 100 * day),
            lot("e_forever_new", 10, awarded: t0 + 3 * day, expires: nil),
        ])
        let now = t0 + 10 * day
        #expect(
            w.spendingOrder(at: now).map(\.id) == [
                "d_soon_old", "c_soon_new", "b_late", "a_forever_old", "e_forever_new",
            ])
        // 25 points: all of d and c, 5 of b.
        let result = redeem(&w, 25, at: now)
        #expect(result.shortfall == 0 && result.entry?.points == -25)
        #expect(w.changes.draws.map(\.lotID) == ["d_soon_old", "c_soon_new", "b_late"])
        #expect(w.changes.draws.map(\.points) == [10, 10, 5])
        #expect(w.changes.lotRemaining == ["d_soon_old": 0, "c_soon_new": 0, "b_late": 5])
        #expect(w.lots.map(\.id).sorted() == ["a_forever_old", "b_late", "e_forever_new"])
        #expect(w.balance == 25)
    }

    @Test func pendingLotsAreNotSpendableButReversalsReachThem() {
        var w = wallet([
            lot("matured", 10, awarded: t0, expires: nil),
            lot("pending", 40, awarded: t0, matures: t0 + 14 * day, expires: nil),
        ])
        let now = t0 + day
        #expect(w.available(at: now) == 10 && w.pending(at: now) == 40 && w.balance == 50)
        // All-or-nothing 20 with only 10 available: nothing happens.
        let refused = redeem(&w, 20, at: now)
        #expect(refused.entry == nil && refused.shortfall == 20 && w.changes.isEmpty && w.balance == 50)
        // A reversal aimed at the pending lot takes it from there first.
        let reversal = w.debit(
            30, kind: .reverse, policy: .lotFirst("pending"), allowPartial: true, reason: "return",
            source: .return, sourceID: "ret", at: now, now: now)
        #expect(reversal.shortfall == 0 && reversal.entry?.points == -30)
        #expect(w.changes.draws == [LotDraw(entryID: reversal.entry!.id, lotID: "pending", points: 30)])
        #expect(w.available(at: now) == 10 && w.pending(at: now) == 10)
        // Once matured, the rest of the pending lot is spendable.
        #expect(w.available(at: t0 + 14 * day) == 20)
    }

    @Test func lotFirstSpillsOverToAvailableThenPendingLots() {
        var w = wallet([
            lot("own", 5, awarded: t0, expires: nil),
            lot("pending", 10, awarded: t0, matures: t0 + 30 * day, expires: nil),
            lot("available", 10, awarded: t0 + day, expires: nil),
        ])
        let now = t0 + 2 * day
        let result = w.debit(
            22, kind: .reverse, policy: .lotFirst("own"), allowPartial: true, reason: "r",
            source: .return, sourceID: "x", at: now, now: now)
        #expect(result.shortfall == 0)
        #expect(w.changes.draws.map(\.lotID) == ["own", "available", "pending"])
        #expect(w.changes.draws.map(\.points) == [5, 10, 7])
    }

    @Test func partialDebitTakesWhatThereIsAllOrNothingTakesNothing() {
        var all = wallet([lot("a", 30, awarded: t0, expires: nil)])
        #expect(redeem(&all, 50, at: t0).shortfall == 50)
        #expect(all.changes.entries.isEmpty && all.balance == 30)

        var partial = wallet([lot("a", 30, awarded: t0, expires: nil)])
        let result = redeem(&partial, 50, partial: true, at: t0)
        #expect(result.shortfall == 20 && result.entry?.points == -30 && partial.balance == 0)
        #expect(partial.lots.isEmpty)

        var empty = wallet([])
        let nothing = redeem(&empty, 5, partial: true, at: t0)
        #expect(nothing.entry == nil && nothing.shortfall == 5 && empty.changes.isEmpty)
    }

    @Test func expireDueWritesOneEntryPerLotAtItsExpiryAndOnlyOnce() {
        let e1 = t0 + 30 * day
        let e2 = t0 + 40 * day
        var w = wallet([
            lot("a", 10, awarded: t0, expires: e1),
            lot("b", 20, awarded: t0, expires: e2),
            lot("c", 30, awarded: t0, expires: t0 + 400 * day),
            lot("d", 40, awarded: t0, expires: nil),
        ])
        redeem(&w, 4, at: t0 + day)  // 4 from a, the soonest to expire
        let runAt = t0 + 50 * day
        let written = w.expireDue(at: runAt, now: runAt)
        #expect(written.map(\.points) == [-6, -20])
        #expect(written.map(\.at) == [e1, e2])
        #expect(written.allSatisfy { $0.kind == .expire && $0.sourceType == .expiry })
        #expect(written.map(\.sourceID) == ["a", "b"])
        #expect(w.balance == 70 && w.lots.map(\.id).sorted() == ["c", "d"])
        // The draws of the expiry take only what the redemption left.
        let drawsOnA = w.changes.draws.filter { $0.lotID == "a" }.map(\.points)
        #expect(drawsOnA == [4, 6])
        let entriesBefore = w.changes.entries.count
        #expect(w.expireDue(at: runAt + day, now: runAt + day).isEmpty)
        #expect(w.changes.entries.count == entriesBefore)
    }

    @Test func expiryAtExactlyTheInstantCounts() {
        var w = wallet([lot("a", 10, awarded: t0, expires: t0 + day)])
        #expect(w.expireDue(at: t0 + day - 1, now: t0).isEmpty)
        #expect(w.awaitingExpiry(at: t0 + day) == 10)
        #expect(w.expireDue(at: t0 + day, now: t0 + day).map(\.points) == [-10])
    }

    @Test func expiredLotsAreNotSpendableEvenBeforeTheJobRuns() {
        var w = wallet([
            lot("old", 50, awarded: t0, expires: t0 + 10 * day),
            lot("fresh", 5, awarded: t0, expires: nil),
        ])
        let later = t0 + 11 * day
        #expect(w.available(at: later) == 5 && w.awaitingExpiry(at: later) == 50 && w.balance == 55)
        #expect(redeem(&w, 10, at: later).shortfall == 10)
        let partial = redeem(&w, 10, partial: true, at: later)
        #expect(partial.shortfall == 5 && w.changes.draws.map(\.lotID) == ["fresh"])
        #expect(w.spendingOrder(at: later).map(\.id) == [])
    }

    @Test func creditCreatesALotAndAnEntryThatPointAtEachOther() throws {
        let ids = SequentialIDGenerator()
        var w = Wallet(programID: "p", customerID: "c", openLots: [], ids: ids)
        let entry = w.credit(
            25, kind: .adjust, reason: "goodwill", source: .admin, sourceID: nil, actor: "admin",
            at: t0, expiresAt: t0 + day, now: t0)
        let lot = try #require(w.changes.newLots.first)
        #expect(entry.points == 25 && entry.lotID == lot.id && lot.entryID == entry.id)
        #expect(lot.maturesAt == t0 && lot.remaining == 25 && lot.expiresAt == t0 + day)
        #expect(entry.id == "ent_" + String(repeating: "0", count: 25) + "1")
        // Spending from a lot created in the same wallet updates the new lot, not `lotRemaining`.
        redeem(&w, 5, at: t0)
        #expect(w.changes.newLots.first?.remaining == 20 && w.changes.lotRemaining.isEmpty)
    }

    @Test func takeChangesStartsAFreshBatch() {
        var w = wallet([])
        let entry = w.credit(
            30, kind: .earn, reason: "order", source: .order, sourceID: "o", at: t0, expiresAt: nil,
            now: t0)
        let first = w.takeChanges()
        #expect(first.entries == [entry] && first.newLots.map(\.remaining) == [30])
        #expect(w.changes.isEmpty && w.balance == 30)
        // The lot now belongs to an earlier batch: spending from it is a `lotRemaining` update, not a new lot.
        redeem(&w, 10, at: t0)
        let second = w.takeChanges()
        #expect(second.newLots.isEmpty && second.lotRemaining == [entry.lotID!: 20] && second.entries.count == 1)
    }

    @Test func ledgerChangesAppendMerges() {
        var first = LedgerChanges()
        first.lotRemaining = ["a": 5, "b": 3]
        var second = LedgerChanges()
        second.lotRemaining = ["a": 1]
        second.draws = [LotDraw(entryID: "e", lotID: "a", points: 4)]
        first.append(second)
        #expect(first.lotRemaining == ["a": 1, "b": 3] && first.draws.count == 1 && first.isEmpty)
    }
}
