import Foundation
import PropertyBased
import RetainCore
import Testing

/// One random event in a customer's history: an order (op 0–6) or a return of an earlier order (op 7–9), `gap`
/// seconds after the previous event.
struct TierStep: Sendable {
    var op: Int
    var amount: Int64
    var pick: Int
    var gap: Int
}

@Suite struct TierEnginePropertyTests {
    static let step = zip(
        Gen.int(in: 0...9), Gen.int64(in: 1...80_000), Gen.int(in: 0...1_000), Gen.int(in: 0...(120 * 86_400))
    ).map { TierStep(op: $0.0, amount: $0.1, pick: $0.2, gap: $0.3) }
    static let ladderChoice = Gen.int(in: 0...3)

    static func ladder(_ choice: Int) -> TierLadder {
        let tiers: [TierLadder.Tier] = [
            .init(id: "t0", name: "T0", threshold: 0), .init(id: "t1", name: "T1", threshold: 50_000),
            .init(id: "t2", name: "T2", threshold: 120_000), .init(id: "t3", name: "T3", threshold: 250_000),
        ]
        switch choice {
        case 0: return TierLadder(qualification: .init(metric: .spend, window: .calendarYear), tiers: tiers)
        case 1:
            return TierLadder(
                qualification: .init(metric: .spend, window: .rollingMonths, months: 6),
                downgrade: .init(graceDays: 20, steps: .oneStep), tiers: tiers)
        case 2:
            return TierLadder(
                qualification: .init(metric: .points, window: .calendarYear),
                downgrade: .init(graceDays: 45, steps: .oneStep), tiers: tiers)
        default: return TierLadder(qualification: .init(metric: .spend, window: .lifetime), tiers: tiers)
        }
    }

    /// Replays `steps` on one standing; with `daily`, the scheduled job also runs every day in between.
    static func replay(
        _ steps: [TierStep], engine: TierEngine, daily: Bool,
        check: (TierStanding, TierStanding, TierStep) -> Void = { _, _, _ in }
    )
        -> TierStanding
    {
        var time = Date(timeIntervalSince1970: 1_767_225_600)
        var standing = engine.start(at: time)
        var orders: [String] = []
        for (index, step) in steps.enumerated() {
            let next = time.addingTimeInterval(Double(step.gap))
            if daily {
                var day = time.addingTimeInterval(86_400)
                while day < next {
                    engine.catchUp(&standing, to: day)
                    day = day.addingTimeInterval(86_400)
                }
            }
            time = next
            let before = standing
            if step.op < 7 || orders.isEmpty {
                let id = "o\(index)"
                engine.recordOrder(&standing, orderID: id, at: time, spend: step.amount, points: step.amount / 2)
                orders.append(id)
            } else {
                engine.catchUp(&standing, to: time)
                let reviewed = standing
                engine.recordReturn(
                    &standing, orderID: orders[step.pick % orders.count], spend: step.amount,
                    points: step.amount / 2)
                check(reviewed, standing, step)
            }
            check(before, standing, step)
        }
        engine.catchUp(&standing, to: time.addingTimeInterval(400 * 86_400))
        return standing
    }

    @Test("the job run daily or not at all between events gives the same standing")
    func jobTimingDoesNotMatter() async {
        await propertyCheck(count: 150, input: Self.ladderChoice, Self.step.array(of: 1...30)) { choice, steps in
            let engine = TierEngine(ladder: Self.ladder(choice), zone: TimeZone(identifier: "Europe/Warsaw")!)
            let lazy = Self.replay(steps, engine: engine, daily: false)
            let daily = Self.replay(steps, engine: engine, daily: true)
            #expect(lazy == daily)
        }
    }

    @Test("a return never changes the tier; downgrades happen only at a review, one step when so configured")
    func returnsAndDowngradesFollowTheRules() async {
        await propertyCheck(count: 150, input: Self.ladderChoice, Self.step.array(of: 1...30)) { choice, steps in
            let ladder = Self.ladder(choice)
            let engine = TierEngine(ladder: ladder, zone: TimeZone(identifier: "UTC")!)
            let final = Self.replay(steps, engine: engine, daily: false) { before, after, step in
                if step.op >= 7, before.reviewAt == after.reviewAt, before.history == after.history {
                    #expect(before.tierID == after.tierID)
                }
            }
            var previousReview: Date?
            var tier = 0
            for change in final.history {
                let from = ladder.index(of: change.from)!
                let to = ladder.index(of: change.to)!
                #expect(from == tier)
                if change.reason == .downgrade {
                    #expect(to < from)
                    if ladder.downgrade.steps == .oneStep { #expect(to == from - 1) }
                    #expect(ladder.qualification.window != .lifetime)
                    // A downgrade is dated at a review's due time, after the last upgrade or review.
                    if let previousReview { #expect(change.at > previousReview) }
                } else {
                    #expect(to > from)
                }
                previousReview = change.at
                tier = to
            }
            #expect(ladder.index(of: final.tierID) == tier)
        }
    }

    @Test("qualifying value never counts more than was bought minus what was returned")
    func valueIsBounded() async {
        await propertyCheck(count: 150, input: Self.step.array(of: 1...30)) { steps in
            let engine = TierEngine(ladder: Self.ladder(3), zone: TimeZone(identifier: "UTC")!)
            let final = Self.replay(steps, engine: engine, daily: false)
            let bought = steps.enumerated().filter { $0.element.op < 7 || $0.offset == 0 }.reduce(Int64(0)) {
                $0 + $1.element.amount
            }
            #expect(final.lifetimeSpend <= bought)
            #expect(final.lifetimeSpend >= 0)
            #expect(
                final.tierID == engine.ladder.tiers[engine.ladder.qualifyingIndex(for: final.lifetimeSpend)].id
                    || engine.ladder.index(of: final.tierID)! > engine.ladder.qualifyingIndex(for: final.lifetimeSpend))
        }
    }
}
