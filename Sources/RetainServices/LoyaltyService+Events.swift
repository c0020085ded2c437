import Foundation
import RetainCore

/// What a custom event earned.
public struct EventResult: Codable, Sendable, Equatable {
    public struct RuleOutcome: Codable, Sendable, Equatable {
        public var ruleID: String
        public var points: Int64
        /// Set when the rule's cap for the period was already reached, so it paid nothing.
        public var capped: Bool

        enum CodingKeys: String, CodingKey {
            case ruleID = "rule_id"
            case points, capped
        }
    }

    public var eventID: String
    public var customerID: String
    public var pointsAwarded: Int64
    public var rules: [RuleOutcome]
    public var wallet: WalletSummary

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case customerID = "customer_id"
        case pointsAwarded = "points_awarded"
        case rules, wallet
    }
}

extension LoyaltyService {
    /// Records a custom event once (by `event_id`) and pays the `event` rules that name it, each within its cap
    /// (`max_times` per day/week/month in the program's time zone, counted by the event's time).
    public func recordEvent(program: String, _ input: EventInput) async throws -> EventResult {
        try input.validate()
        let settings = try await environment.programs.program(program).settings
        let requestHash = APIJSON.fingerprint(input)
        let time = now
        try Self.rejectFuture(input.occurredAt, field: "occurred_at", now: time)
        return try await store.write(program: program) { session in
            try await once(
                session, scope: "events", key: input.eventID, label: "event_id \(input.eventID)",
                requestHash: requestHash, at: time
            ) {
                guard let customer = try await match(input.customer, in: session) else {
                    throw DomainError.invalid("customer", "no customer in this program matches the reference")
                }
                var wallet = try await loadWallet(session, customerID: customer.id, at: time)
                let day = CivilDate(input.occurredAt, in: settings.zone)
                var outcomes: [EventResult.RuleOutcome] = []
                for rule in EarningEngine.eventRules(named: input.name, on: day, rules: try await session.rules()) {
                    if let cap = rule.cap {
                        let since = EarningEngine.capPeriodStart(
                            cap.period, containing: input.occurredAt, in: settings.zone)
                        // Awards in this period only: a late event must not count awards of later periods.
                        let until = Self.capPeriodEnd(cap.period, startingAt: since, in: settings.zone)
                        let used =
                            try await session.countAwards(customerID: customer.id, ruleID: rule.id, since: since)
                            - session.countAwards(customerID: customer.id, ruleID: rule.id, since: until)
                        let pendingInThisEvent = outcomes.filter { $0.ruleID == rule.id && !$0.capped }.count
                        if used + pendingInThisEvent >= cap.maxTimes {
                            outcomes.append(.init(ruleID: rule.id, points: 0, capped: true))
                            continue
                        }
                    }
                    let points = rule.points ?? 0
                    wallet.credit(
                        points, kind: .earn, reason: "\(input.name): \(rule.name)", source: .event,
                        sourceID: input.eventID,
                        ruleID: rule.id, at: input.occurredAt,
                        expiry: settings.lotExpiry(from: input.occurredAt, rule: rule),
                        now: time)
                    outcomes.append(.init(ruleID: rule.id, points: points, capped: false))
                }
                // A first `event_name` event may give an automatic reward (a first review), once.
                let engine = try await membershipEngine(session, settings: settings)
                let firsts = engine.configuration.automaticRewards.filter {
                    $0.trigger == .firstEvent && $0.eventName == input.name
                }
                if !firsts.isEmpty {
                    var membership = engine.membership(
                        try await session.memberships(customerIDs: [customer.id]).first, customerID: customer.id,
                        at: input.occurredAt)
                    for automatic in firsts {
                        let before = wallet.balance
                        if engine.give(
                            automatic, occasion: nil, at: input.occurredAt, to: &membership, wallet: &wallet, now: time)
                        {
                            outcomes.append(
                                .init(
                                    ruleID: "automatic:\(automatic.id)", points: wallet.balance - before, capped: false)
                            )
                        }
                    }
                    try await saveMembership(membership, engine: engine, in: session, at: time)
                }
                let awarded = outcomes.reduce(0) { $0 + $1.points }
                try await session.apply(wallet.changes)
                try await session.insertEvent(
                    EventRecord(
                        programID: program, input: input, customerID: customer.id, pointsAwarded: awarded,
                        createdAt: time))
                let result = EventResult(
                    eventID: input.eventID, customerID: customer.id, pointsAwarded: awarded, rules: outcomes,
                    wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
                return result
            }
        }
    }

    /// The first moment after the cap period that begins at `start` (a period start from `capPeriodStart`).
    static func capPeriodEnd(_ period: EarningRule.Cap.Period, startingAt start: Date, in zone: TimeZone) -> Date {
        let day = CivilDate(start, in: zone)
        switch period {
        case .day: return day.adding(days: 1).start(in: zone)
        case .week: return day.adding(days: 7).start(in: zone)
        case .month:
            let next =
                day.month == 12
                ? CivilDate(year: day.year + 1, month: 1, day: 1)!
                : CivilDate(year: day.year, month: day.month + 1, day: 1)!
            return next.start(in: zone)
        }
    }
}
