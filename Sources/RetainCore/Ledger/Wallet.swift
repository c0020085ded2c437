import Foundation

/// One customer's open lots and the rules for moving points in and out of them. Pure: it records what should be
/// written in `changes`, and the caller writes that in one transaction.
///
/// Spending takes the lots that expire first (lots without expiry last, then the oldest award, then by id).
/// Pending lots (before `maturesAt`) and expired lots are never spent by a redemption.
public struct Wallet: Sendable {
    public let programID: String
    public let customerID: String
    /// Lots with points left, existing and new.
    public private(set) var lots: [PointLot]
    public private(set) var changes = LedgerChanges()
    /// Where each lot created since the last `takeChanges()` sits in `changes.newLots`.
    private var newLotIndex: [String: Int] = [:]
    private let ids: any IDGenerator

    public init(programID: String, customerID: String, openLots: [PointLot], ids: any IDGenerator) {
        self.programID = programID
        self.customerID = customerID
        self.lots = openLots.filter { $0.remaining > 0 }
        self.ids = ids
    }

    /// Sum of entries (= sum of what is left in the lots).
    public var balance: Int64 { lots.reduce(0) { $0 + $1.remaining } }

    /// Points that can be spent at `time`.
    public func available(at time: Date) -> Int64 {
        lots.filter { !$0.isPending(at: time) && !$0.isExpired(at: time) }.reduce(0) { $0 + $1.remaining }
    }

    /// Points still inside their return window at `time`.
    public func pending(at time: Date) -> Int64 {
        lots.filter { $0.isPending(at: time) && !$0.isExpired(at: time) }.reduce(0) { $0 + $1.remaining }
    }

    /// Points past their expiry that the expiry job has not yet written off.
    public func awaitingExpiry(at time: Date) -> Int64 {
        lots.filter { $0.isExpired(at: time) }.reduce(0) { $0 + $1.remaining }
    }

    /// Adds points as a new lot and returns the entry.
    @discardableResult
    public mutating func credit(
        _ points: Int64, kind: LedgerEntry.Kind, reason: String, source: LedgerEntry.SourceType, sourceID: String?,
        actor: String? = nil, ruleID: String? = nil, at: Date, maturesAt: Date? = nil, expiresAt: Date?,
        renews: Bool = false, now: Date
    ) -> LedgerEntry {
        precondition(points > 0, "a credit adds points")
        let entryID = ids.make("ent")
        let lot = PointLot(
            id: ids.make("lot"), programID: programID, customerID: customerID, points: points, remaining: points,
            awardedAt: at, maturesAt: maturesAt ?? at, expiresAt: expiresAt, entryID: entryID, renews: renews)
        let entry = LedgerEntry(
            id: entryID, programID: programID, customerID: customerID, kind: kind, points: points, reason: reason,
            sourceType: source, sourceID: sourceID, actor: actor, at: at, lotID: lot.id, ruleID: ruleID,
            createdAt: now)
        lots.append(lot)
        newLotIndex[lot.id] = changes.newLots.count
        changes.newLots.append(lot)
        changes.entries.append(entry)
        return entry
    }

    /// Adds points as a new lot expiring by `expiry` (a program's or rule's policy, see `ProgramSettings.lotExpiry`).
    @discardableResult
    public mutating func credit(
        _ points: Int64, kind: LedgerEntry.Kind, reason: String, source: LedgerEntry.SourceType, sourceID: String?,
        actor: String? = nil, ruleID: String? = nil, at: Date, expiry: LotExpiry, now: Date
    ) -> LedgerEntry {
        credit(
            points, kind: kind, reason: reason, source: source, sourceID: sourceID, actor: actor, ruleID: ruleID,
            at: at, expiresAt: expiry.expiresAt, renews: expiry.renews, now: now)
    }

    /// Which lots a debit may draw from, in the order it draws.
    public enum DrawPolicy: Sendable {
        /// Redemptions: matured, unexpired lots only.
        case availableOnly
        /// Admin debits: available lots first, then pending ones.
        case availableThenPending
        /// Reversals: the named lot first (pending or not), then available, then pending lots.
        case lotFirst(String)
    }

    /// Takes up to `points` out of the lots by `policy` and writes one entry for what it took (none when it took
    /// nothing). With `allowPartial` false, nothing is taken unless all of `points` can be.
    /// - Returns: the entry written, and how many points could not be taken.
    @discardableResult
    public mutating func debit(
        _ points: Int64, kind: LedgerEntry.Kind, policy: DrawPolicy, allowPartial: Bool, reason: String,
        source: LedgerEntry.SourceType, sourceID: String?, actor: String? = nil, at: Date, now: Date
    ) -> (entry: LedgerEntry?, shortfall: Int64) {
        precondition(points > 0, "a debit takes points")
        let order = drawOrder(policy, at: at)
        let reachable = order.reduce(Int64(0)) { $0 + lots[$1].remaining }
        if reachable < points && !allowPartial { return (nil, points) }
        let entryID = ids.make("ent")
        var left = points
        var taken: Int64 = 0
        for index in order where left > 0 {
            let take = min(left, lots[index].remaining)
            guard take > 0 else { continue }
            lots[index].remaining -= take
            left -= take
            taken += take
            record(lots[index])
            changes.draws.append(LotDraw(entryID: entryID, lotID: lots[index].id, points: take))
        }
        guard taken > 0 else { return (nil, points) }
        let entry = LedgerEntry(
            id: entryID, programID: programID, customerID: customerID, kind: kind, points: -taken, reason: reason,
            sourceType: source, sourceID: sourceID, actor: actor, at: at, createdAt: now)
        changes.entries.append(entry)
        lots.removeAll { $0.remaining == 0 }
        return (entry, left)
    }

    /// Writes off every lot whose expiry is at or before `time`, one `expire` entry per lot, dated at the lot's
    /// expiry. Running it again finds nothing left to expire.
    @discardableResult
    public mutating func expireDue(at time: Date, now: Date) -> [LedgerEntry] {
        var written: [LedgerEntry] = []
        for index in lots.indices where lots[index].isExpired(at: time) && lots[index].remaining > 0 {
            let entryID = ids.make("ent")
            let amount = lots[index].remaining
            let expiry = lots[index].expiresAt!
            lots[index].remaining = 0
            record(lots[index])
            changes.draws.append(LotDraw(entryID: entryID, lotID: lots[index].id, points: amount))
            let entry = LedgerEntry(
                id: entryID, programID: programID, customerID: customerID, kind: .expire, points: -amount,
                reason: "points awarded \(Wallet.dayFormat(lots[index].awardedAt)) expired",
                sourceType: .expiry, sourceID: lots[index].id, at: expiry, createdAt: now)
            changes.entries.append(entry)
            written.append(entry)
        }
        lots.removeAll { $0.remaining == 0 }
        return written
    }

    /// A purchase at `time` under the `inactivity` policy: every renewable lot now expires no earlier than `until`.
    public mutating func renew(until: Date) {
        for index in lots.indices where lots[index].renews && lots[index].remaining > 0 {
            guard let current = lots[index].expiresAt, current < until else { continue }
            lots[index].expiresAt = until
            if let position = newLotIndex[lots[index].id] {
                changes.newLots[position].expiresAt = until
            } else {
                changes.lotExpiry[lots[index].id] = until
            }
        }
    }

    /// Hands over what was recorded so far and starts a fresh record; the bulk importer writes a batch, then keeps
    /// using the same wallet.
    public mutating func takeChanges() -> LedgerChanges {
        let taken = changes
        changes = LedgerChanges()
        newLotIndex = [:]
        return taken
    }

    /// Open lots sorted the way they will be spent.
    public func spendingOrder(at time: Date) -> [PointLot] {
        drawOrder(.availableThenPending, at: time).map { lots[$0] }
    }

    private func drawOrder(_ policy: DrawPolicy, at time: Date) -> [Int] {
        let live = lots.indices.filter { !lots[$0].isExpired(at: time) && lots[$0].remaining > 0 }
        let sorted = live.sorted { lhs, rhs in
            let a = lots[lhs]
            let b = lots[rhs]
            let aExpiry = a.expiresAt ?? .distantFuture
            let bExpiry = b.expiresAt ?? .distantFuture
            if aExpiry != bExpiry { return aExpiry < bExpiry }
            if a.awardedAt != b.awardedAt { return a.awardedAt < b.awardedAt }
            return a.id < b.id
        }
        let available = sorted.filter { !lots[$0].isPending(at: time) }
        let pending = sorted.filter { lots[$0].isPending(at: time) }
        switch policy {
        case .availableOnly:
            return available
        case .availableThenPending:
            return available + pending
        case .lotFirst(let lotID):
            let first = lots.indices.filter { lots[$0].id == lotID && lots[$0].remaining > 0 }
            return first + (available + pending).filter { !first.contains($0) }
        }
    }

    private mutating func record(_ lot: PointLot) {
        if let index = newLotIndex[lot.id] {
            changes.newLots[index].remaining = lot.remaining
        } else {
            changes.lotRemaining[lot.id] = lot.remaining
        }
    }

    static func dayFormat(_ date: Date) -> String { CivilDate(date, in: TimeZone(identifier: "UTC")!).description }
}
