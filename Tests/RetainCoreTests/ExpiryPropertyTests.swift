import Foundation
import PropertyBased
import RetainCore
import Testing

@Suite struct ExpiryPropertyTests {
    /// op 0–3 credit (renewable when op is odd), 4–5 spend, 6 a purchase that renews, 7–9 the expiry job.
    static let step = zip(
        Gen.int(in: 0...9), Gen.int64(in: 1...500), Gen.int(in: 1...90), Gen.int(in: 0...(40 * 86_400)))

    @Test("expiry never takes points that were spent, renewals never shorten an expiry, and nothing due is left")
    func expiryTakesOnlyWhatIsLeft() async {
        await propertyCheck(count: 300, input: Self.step.array(of: 1...50)) { steps in
            var wallet = Wallet(programID: "p", customerID: "c", openLots: [], ids: SequentialIDGenerator())
            var time = Date(timeIntervalSince1970: 1_767_225_600)
            var credited: Int64 = 0
            var spent: Int64 = 0
            var expired: Int64 = 0
            for (op, points, days, gap) in steps {
                time = time.addingTimeInterval(Double(gap))
                switch op {
                case 0...3:
                    wallet.credit(
                        points, kind: .earn, reason: "t", source: .admin, sourceID: nil, at: time,
                        expiresAt: time.addingTimeInterval(Double(days) * 86_400), renews: op % 2 == 1, now: time)
                    credited += points
                case 4...5:
                    wallet.expireDue(at: time, now: time).forEach { expired -= $0.points }
                    let result = wallet.debit(
                        points, kind: .redeem, policy: .availableThenPending, allowPartial: true, reason: "t",
                        source: .redemption, sourceID: nil, at: time, now: time)
                    spent -= result.entry?.points ?? 0
                case 6:
                    let before = Dictionary(uniqueKeysWithValues: wallet.lots.map { ($0.id, $0.expiresAt) })
                    wallet.renew(until: time.addingTimeInterval(60 * 86_400))
                    for lot in wallet.lots {
                        if let old = before[lot.id] ?? nil, let new = lot.expiresAt { #expect(new >= old) }
                        if !lot.renews { #expect(lot.expiresAt == before[lot.id] ?? nil) }
                    }
                default:
                    wallet.expireDue(at: time, now: time).forEach { expired -= $0.points }
                    #expect(!wallet.lots.contains { $0.isExpired(at: time) && $0.remaining > 0 })
                }
                #expect(wallet.balance == credited - spent - expired)
                #expect(wallet.balance >= 0)
                #expect(expired <= credited - spent)
            }
            let changes = wallet.takeChanges()
            #expect(changes.entries.reduce(Int64(0)) { $0 + $1.points } == wallet.balance)
        }
    }
}
