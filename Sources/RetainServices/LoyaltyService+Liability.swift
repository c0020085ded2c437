import Foundation
import RetainCore

/// Customers whose points expire soon, for reminders.
public struct ExpiringPoints: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var customerID: String
        public var points: Int64
        public var firstExpiry: Date

        enum CodingKeys: String, CodingKey {
            case customerID = "customer_id"
            case points
            case firstExpiry = "first_expiry"
        }
    }

    public var withinDays: Int
    public var customers: [Row]
    public var nextAfter: String?

    public init(withinDays: Int, customers: [Row], nextAfter: String?) {
        self.withinDays = withinDays
        self.customers = customers
        self.nextAfter = nextAfter
    }

    enum CodingKeys: String, CodingKey {
        case withinDays = "within_days"
        case customers
        case nextAfter = "next_after"
    }
}

/// What the program owes in points: outstanding points and their money value, when they expire, and how many of
/// those are expected to expire unspent.
public struct LiabilityReport: Codable, Sendable, Equatable {
    public struct Month: Codable, Sendable, Equatable {
        /// `YYYY-MM` in the program's time zone.
        public var month: String
        public var points: Int64
        public var value: Int64
        /// `points × breakage_rate`, rounded down.
        public var expectedBreakage: Int64

        enum CodingKeys: String, CodingKey {
            case month, points, value
            case expectedBreakage = "expected_breakage"
        }
    }

    public var asOf: Date
    public var currency: String
    /// Open points (not yet expired), pending ones included.
    public var outstandingPoints: Int64
    public var pendingPoints: Int64
    /// Money value of the outstanding points at the program's point value (minor units).
    public var outstandingValue: Int64
    /// Outstanding points that never expire.
    public var nonExpiringPoints: Int64
    /// Of the points that left wallets in the last 12 months by expiring or being redeemed, the share that
    /// expired (0 without history).
    public var breakageRate: Double
    public var expiring: [Month]
    /// Σ expected breakage over the months (the value of it in `expected_breakage_value`).
    public var expectedBreakage: Int64
    public var expectedBreakageValue: Int64

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case currency
        case outstandingPoints = "outstanding_points"
        case pendingPoints = "pending_points"
        case outstandingValue = "outstanding_value"
        case nonExpiringPoints = "non_expiring_points"
        case breakageRate = "breakage_rate"
        case expiring
        case expectedBreakage = "expected_breakage"
        case expectedBreakageValue = "expected_breakage_value"
    }
}

extension LoyaltyService {
    /// Customers with points expiring in the next `withinDays` days (after now), by customer id, a page at a time.
    public func expiringPoints(program: String, withinDays: Int, limit: Int, after: String?) async throws
        -> ExpiringPoints
    {
        _ = try await environment.programs.program(program)
        guard (1...3650).contains(withinDays) else { throw DomainError.invalid("within_days", "must be 1–3650") }
        let time = now
        let page = max(1, min(limit, 1_000))
        return try await store.read(program: program) { session in
            let rows = try await session.expiringPoints(
                from: time, to: time.addingTimeInterval(Double(withinDays) * 86_400), limit: page + 1, after: after)
            let shown = rows.prefix(page).map {
                ExpiringPoints.Row(customerID: $0.customerID, points: $0.points, firstExpiry: $0.firstExpiry)
            }
            return ExpiringPoints(
                withinDays: withinDays, customers: shown, nextAfter: rows.count > page ? shown.last?.customerID : nil)
        }
    }

    /// The points liability as of now: see `LiabilityReport`. Points past expiry that the job has not written off
    /// yet are not counted.
    public func liability(program: String) async throws -> LiabilityReport {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.read(program: program) { session in
            let lots = try await session.openLotBalances()
            let year = CivilDate.instant(time, addingMonths: -12, in: settings.zone)
            let totals = try await session.entryTotals(from: year, to: time)
            let expired = -(totals[.expire] ?? 0)
            let redeemed = -(totals[.redeem] ?? 0)
            let rate = expired + redeemed > 0 ? Double(expired) / Double(expired + redeemed) : 0
            var outstanding: Int64 = 0
            var pending: Int64 = 0
            var never: Int64 = 0
            var byMonth: [String: Int64] = [:]
            for lot in lots {
                if let expiry = lot.expiresAt, expiry <= time { continue }
                outstanding += lot.remaining
                if lot.maturesAt > time { pending += lot.remaining }
                guard let expiry = lot.expiresAt else {
                    never += lot.remaining
                    continue
                }
                // A lot expiring at midnight on the 1st belongs to the month that just ended.
                let day = CivilDate(expiry.addingTimeInterval(-0.001), in: settings.zone)
                byMonth[String(format: "%04d-%02d", day.year, day.month), default: 0] += lot.remaining
            }
            let value = { (points: Int64) in Redemption.value(of: points, at: settings.pointValue) }
            let months = byMonth.keys.sorted().map { month in
                let points = byMonth[month]!
                return LiabilityReport.Month(
                    month: month, points: points, value: value(points),
                    expectedBreakage: Int64((Double(points) * rate).rounded(.down)))
            }
            let breakage = months.reduce(Int64(0)) { $0 + $1.expectedBreakage }
            return LiabilityReport(
                asOf: time, currency: settings.currency.code, outstandingPoints: outstanding, pendingPoints: pending,
                outstandingValue: value(outstanding), nonExpiringPoints: never, breakageRate: rate, expiring: months,
                expectedBreakage: breakage, expectedBreakageValue: value(breakage))
        }
    }
}
