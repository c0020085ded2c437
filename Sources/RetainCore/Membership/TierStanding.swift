import Foundation

/// A customer's place on the tier ladder: the tier earned by qualifying, when it is next reviewed, the qualifying
/// activity still inside a window that can matter, an admin override, and the history of every change.
public struct TierStanding: Codable, Sendable, Equatable {
    /// What one order counts for qualification (reduced by its returns).
    public struct Activity: Codable, Sendable, Equatable {
        public var orderID: String
        public var at: Date
        public var spend: Int64
        public var points: Int64

        enum CodingKeys: String, CodingKey {
            case orderID = "order_id"
            case at, spend, points
        }
    }

    public struct Change: Codable, Sendable, Equatable {
        public enum Reason: String, Codable, Sendable, CaseIterable {
            case upgrade, downgrade, override
            case overrideEnded = "override_ended"
        }

        public var at: Date
        public var from: String
        public var to: String
        public var reason: Reason
        /// The qualifying value that decided an upgrade or downgrade; the admin's reason for an override.
        public var note: String?
        public var actor: String?

        public init(at: Date, from: String, to: String, reason: Reason, note: String? = nil, actor: String? = nil) {
            self.at = at
            self.from = from
            self.to = to
            self.reason = reason
            self.note = note
            self.actor = actor
        }
    }

    /// A tier set by hand until a date, whatever the customer qualifies for.
    public struct Override: Codable, Sendable, Equatable {
        public var tierID: String
        public var reason: String
        public var until: Date
        public var actor: String?
        public var setAt: Date

        public init(tierID: String, reason: String, until: Date, actor: String?, setAt: Date) {
            self.tierID = tierID
            self.reason = reason
            self.until = until
            self.actor = actor
            self.setAt = setAt
        }

        enum CodingKeys: String, CodingKey {
            case tierID = "tier_id"
            case reason, until, actor
            case setAt = "set_at"
        }
    }

    /// The tier earned by qualifying (an override may show another).
    public var tierID: String
    public var since: Date
    /// The end of the current tier's period; nil for the first tier and for lifetime ladders.
    public var reviewAt: Date?
    /// The latest moment the tier was evaluated at: an order older than this upgrades as of this moment.
    public var evaluatedThrough: Date
    public var activity: [Activity]
    public var lifetimeSpend: Int64
    public var lifetimePoints: Int64
    /// Tiers whose upgrade gift was given (once per tier per customer).
    public var gifted: [String]
    public var override: Override?
    public var history: [Change]

    public init(tierID: String, at time: Date) {
        self.tierID = tierID
        since = time
        reviewAt = nil
        evaluatedThrough = time
        activity = []
        lifetimeSpend = 0
        lifetimePoints = 0
        gifted = []
        override = nil
        history = []
    }

    enum CodingKeys: String, CodingKey {
        case tierID = "tier_id"
        case since
        case reviewAt = "review_at"
        case evaluatedThrough = "evaluated_through"
        case activity
        case lifetimeSpend = "lifetime_spend"
        case lifetimePoints = "lifetime_points"
        case gifted, override, history
    }

    /// The tier in effect at `time`: an unexpired override, else the earned tier.
    public func effectiveTierID(at time: Date) -> String {
        if let override, override.until > time { return override.tierID }
        return tierID
    }
}

/// The rules of `TierLadder` applied to a `TierStanding`, as pure functions of the ladder, the program's time zone
/// and the times given (never the wall clock), so replaying a history gives the same tiers.
public struct TierEngine: Sendable {
    public let ladder: TierLadder
    public let zone: TimeZone

    public init(ladder: TierLadder, zone: TimeZone) {
        self.ladder = ladder
        self.zone = zone
    }

    public func start(at time: Date) -> TierStanding { TierStanding(tierID: ladder.tiers[0].id, at: time) }

    /// Where the qualification window ending at `end` begins (nil: the customer's whole life).
    public func windowStart(endingAt end: Date) -> Date? {
        switch ladder.qualification.window {
        case .rollingMonths:
            return CivilDate.instant(end, addingMonths: -(ladder.qualification.months ?? 12), in: zone)
        case .calendarYear:
            let day = CivilDate(end, in: zone)
            return CivilDate(year: day.year, month: 1, day: 1)!.start(in: zone)
        case .lifetime:
            return nil
        }
    }

    /// The end of the period that begins at `time` (when a tier reached then is reviewed).
    public func periodEnd(from time: Date) -> Date? {
        switch ladder.qualification.window {
        case .rollingMonths:
            return CivilDate.instant(time, addingMonths: ladder.qualification.months ?? 12, in: zone)
        case .calendarYear:
            let day = CivilDate(time, in: zone)
            return CivilDate(year: day.year + 1, month: 1, day: 1)!.start(in: zone)
        case .lifetime:
            return nil
        }
    }

    /// When a review at `reviewAt` takes effect.
    public func due(_ reviewAt: Date) -> Date {
        reviewAt.addingTimeInterval(Double(ladder.downgrade.graceDays) * 86_400)
    }

    /// The qualifying value of the activity after `start` (nil: lifetime) through `end`. A calendar year includes
    /// its first instant (midnight on 1 January); a rolling window does not (an order exactly N months ago has left).
    public func value(_ standing: TierStanding, from start: Date?, through end: Date) -> Int64 {
        guard let start else {
            return ladder.qualification.metric == .spend ? standing.lifetimeSpend : standing.lifetimePoints
        }
        let includesStart = ladder.qualification.window == .calendarYear
        var total: Int64 = 0
        for item in standing.activity where (item.at > start || (includesStart && item.at == start)) && item.at <= end {
            total += ladder.qualification.metric == .spend ? item.spend : item.points
        }
        return total
    }

    /// The value of the window ending at `time`.
    public func currentValue(_ standing: TierStanding, at time: Date) -> Int64 {
        value(standing, from: windowStart(endingAt: time), through: time)
    }

    /// Runs every review and override end due by `time`, oldest first, so a customer untouched for a year is
    /// reviewed exactly as if the job had run on each date.
    public func catchUp(_ standing: inout TierStanding, to time: Date) {
        if let override = standing.override, override.until <= time {
            standing.history.append(
                .init(
                    at: override.until, from: override.tierID, to: standing.tierID, reason: .overrideEnded,
                    note: override.reason))
            standing.override = nil
        }
        while let review = standing.reviewAt, due(review) <= time {
            let end = due(review)
            let start: Date?
            switch ladder.qualification.window {
            case .calendarYear: start = windowStart(endingAt: review.addingTimeInterval(-0.001))
            default: start = windowStart(endingAt: end)
            }
            let value = value(standing, from: start, through: end)
            let qualifying = ladder.qualifyingIndex(for: value)
            let current = ladder.index(of: standing.tierID) ?? 0
            var next = current
            if qualifying < current {
                next = ladder.downgrade.steps == .oneStep ? current - 1 : qualifying
            } else if qualifying > current {
                next = qualifying
            }
            if next != current {
                standing.history.append(
                    .init(
                        at: end, from: standing.tierID, to: ladder.tiers[next].id,
                        reason: next < current ? .downgrade : .upgrade, note: "qualifying value \(value) at review"))
                standing.tierID = ladder.tiers[next].id
                standing.since = end
            }
            standing.reviewAt = next == 0 ? nil : periodEnd(from: review)
            standing.evaluatedThrough = max(standing.evaluatedThrough, end)
        }
        prune(&standing)
    }

    /// Counts an order and upgrades at once if the window ending at the order (or at the last evaluation, for a
    /// late order) now reaches a higher tier. Returns the tier reached, if any.
    @discardableResult
    public func recordOrder(
        _ standing: inout TierStanding, orderID: String, at time: Date, spend: Int64, points: Int64
    ) -> String? {
        catchUp(&standing, to: time)
        standing.lifetimeSpend += spend
        standing.lifetimePoints += points
        if ladder.qualification.window != .lifetime {
            standing.activity.append(.init(orderID: orderID, at: time, spend: spend, points: points))
        }
        let evaluation = max(time, standing.evaluatedThrough)
        standing.evaluatedThrough = evaluation
        let value = currentValue(standing, at: evaluation)
        let qualifying = ladder.qualifyingIndex(for: value)
        let current = ladder.index(of: standing.tierID) ?? 0
        prune(&standing)
        guard qualifying > current else { return nil }
        standing.history.append(
            .init(
                at: evaluation, from: standing.tierID, to: ladder.tiers[qualifying].id, reason: .upgrade,
                note: "qualifying value \(value) after order \(orderID)"))
        standing.tierID = ladder.tiers[qualifying].id
        standing.since = evaluation
        standing.reviewAt = periodEnd(from: evaluation)
        return standing.tierID
    }

    /// Takes a return's share out of the order's qualifying activity. The tier itself is left alone until its
    /// review (a return never downgrades at once).
    public func recordReturn(_ standing: inout TierStanding, orderID: String, spend: Int64, points: Int64) {
        standing.lifetimeSpend = max(0, standing.lifetimeSpend - spend)
        standing.lifetimePoints = max(0, standing.lifetimePoints - points)
        if let index = standing.activity.firstIndex(where: { $0.orderID == orderID }) {
            standing.activity[index].spend = max(0, standing.activity[index].spend - spend)
            standing.activity[index].points = max(0, standing.activity[index].points - points)
        }
    }

    /// The upgrade gift of the earned tier, if it has one and this customer never had it; marks it given.
    public func takeGift(_ standing: inout TierStanding) -> (tier: TierLadder.Tier, points: Int64)? {
        guard let tier = ladder.tier(standing.tierID), let points = tier.benefits.upgradeGiftPoints,
            !standing.gifted.contains(tier.id)
        else { return nil }
        standing.gifted.append(tier.id)
        return (tier, points)
    }

    /// The earliest moment this standing needs attention from the scheduled job (a review or an override end).
    public func nextDue(_ standing: TierStanding) -> Date? {
        [standing.reviewAt.map(due), standing.override?.until].compactMap { $0 }.min()
    }

    /// Drops activity no window can reach again: older than both the current window and the next review's.
    func prune(_ standing: inout TierStanding) {
        guard ladder.qualification.window != .lifetime else {
            standing.activity = []
            return
        }
        var horizon = windowStart(endingAt: standing.evaluatedThrough) ?? .distantPast
        if let review = standing.reviewAt {
            let reviewStart =
                ladder.qualification.window == .calendarYear
                ? windowStart(endingAt: review.addingTimeInterval(-0.001)) : windowStart(endingAt: due(review))
            horizon = min(horizon, reviewStart ?? .distantPast)
        }
        standing.activity.removeAll { $0.at < horizon }
    }

    /// "Spend 120.00 more by 31 December to reach Gold": the value so far, the next tier and what it still needs.
    public func progress(_ standing: TierStanding, at time: Date) -> TierProgress {
        var current = standing
        catchUp(&current, to: time)
        let value = currentValue(current, at: time)
        let index = ladder.index(of: current.tierID) ?? 0
        let next = index + 1 < ladder.tiers.count ? ladder.tiers[index + 1] : nil
        let effective = ladder.tier(current.effectiveTierID(at: time)) ?? ladder.tiers[index]
        return TierProgress(
            tierID: effective.id, tierName: effective.name, earnedTierID: current.tierID,
            metric: ladder.qualification.metric,
            value: value, windowStart: windowStart(endingAt: time), nextTierID: next?.id, nextTierName: next?.name,
            needed: next.map { max(0, $0.threshold - value) },
            before: ladder.qualification.window == .calendarYear ? periodEnd(from: time) : nil,
            reviewAt: current.reviewAt, benefits: effective.benefits, override: current.override,
            history: current.history)
    }
}

/// What the customer sees of their tier.
public struct TierProgress: Codable, Sendable, Equatable {
    /// The tier in effect (an override wins while it lasts).
    public var tierID: String
    public var tierName: String
    public var earnedTierID: String
    public var metric: TierLadder.Metric
    /// The qualifying value of the current window.
    public var value: Int64
    public var windowStart: Date?
    public var nextTierID: String?
    public var nextTierName: String?
    /// How much more qualifying value reaches the next tier.
    public var needed: Int64?
    /// For calendar-year windows: the value must be reached before this moment (1 January).
    public var before: Date?
    public var reviewAt: Date?
    public var benefits: TierLadder.Benefits
    public var override: TierStanding.Override?
    public var history: [TierStanding.Change]

    enum CodingKeys: String, CodingKey {
        case tierID = "tier_id"
        case tierName = "tier_name"
        case earnedTierID = "earned_tier_id"
        case metric, value
        case windowStart = "window_start"
        case nextTierID = "next_tier_id"
        case nextTierName = "next_tier_name"
        case needed, before
        case reviewAt = "review_at"
        case benefits, override, history
    }
}
