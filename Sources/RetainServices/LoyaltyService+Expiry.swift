import Foundation
import RetainCore

/// What an expiry run wrote.
public struct ExpiryReport: Codable, Sendable, Equatable {
    public var customers: Int
    public var entries: Int
    public var points: Int64
    /// Memberships whose tier review or override end was due (the same run does both).
    public var tiersReviewed: Int = 0
    /// Tier changes those reviews made.
    public var tierChanges: Int = 0
    /// Issued reward codes that ran out.
    public var rewardsExpired: Int = 0
    /// Birthday and anniversary rewards given.
    public var calendarRewards: Int = 0

    enum CodingKeys: String, CodingKey {
        case customers, entries, points
        case tiersReviewed = "tiers_reviewed"
        case tierChanges = "tier_changes"
        case rewardsExpired = "rewards_expired"
        case calendarRewards = "calendar_rewards"
    }
}

extension LoyaltyService {
    /// Writes off every lot of the program that expired at or before `asOf` (default now). Each lot is expired once:
    /// a second or concurrent run finds nothing left, and a run after downtime catches up, dating each entry at
    /// the lot's own expiry. Walks the due lots in order of expiry, 2,000 lots a transaction (all of their
    /// customers' due lots are written off together), so memory stays flat and a daily run reads only what fell
    /// due.
    public func expirePoints(program: String, asOf: Date? = nil) async throws -> ExpiryReport {
        _ = try await environment.programs.program(program)
        let time = asOf ?? now
        var report = ExpiryReport(customers: 0, entries: 0, points: 0)
        var cursor: DueCursor?
        repeat {
            let after = cursor
            let (batch, next) = try await store.write(program: program) { session -> (ExpiryReport, DueCursor?) in
                let page = try await session.customersWithExpiredLots(asOf: time, after: after, limit: 2_000)
                let customers = page.customerIDs
                var batch = ExpiryReport(customers: customers.count, entries: 0, points: 0)
                // Order batches run beside this job with row locks only (`WriteIsolation.customerLocks`).
                try await session.lockCustomers(ids: customers)
                let lots = Dictionary(grouping: try await session.openLots(customerIDs: customers), by: \.customerID)
                var changes = LedgerChanges()
                for customerID in customers {
                    var wallet = Wallet(
                        programID: program, customerID: customerID, openLots: lots[customerID] ?? [],
                        ids: environment.ids)
                    let written = wallet.expireDue(at: time, now: now)
                    batch.entries += written.count
                    batch.points += written.reduce(0) { $0 - $1.points }
                    changes.append(wallet.changes)
                }
                try await session.apply(changes)
                return (batch, page.next)
            }
            cursor = next
            report.customers += batch.customers
            report.entries += batch.entries
            report.points += batch.points
        } while cursor != nil
        let tiers = try await reviewTiers(program: program, asOf: time)
        report.tiersReviewed = tiers.reviewed
        report.tierChanges = tiers.changes
        report.rewardsExpired = try await expireRewards(program: program, asOf: time)
        report.calendarRewards = try await runCalendarRewards(program: program, asOf: time)
        return report
    }
}
