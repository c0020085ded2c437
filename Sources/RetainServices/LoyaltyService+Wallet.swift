import Foundation
import Metrics
import RetainCore

/// The answer to a redemption.
public struct RedemptionResult: Codable, Sendable, Equatable {
    public var redemptionID: String
    public var customerID: String
    public var points: Int64
    /// Money off, in minor units.
    public var amount: Int64
    public var currency: String
    public var orderID: String?
    public var wallet: WalletSummary

    enum CodingKeys: String, CodingKey {
        case redemptionID = "redemption_id"
        case customerID = "customer_id"
        case points, amount, currency
        case orderID = "order_id"
        case wallet
    }
}

/// An admin's correction of a balance.
public struct AdjustmentRequest: Codable, Sendable, Equatable {
    /// Positive to add, negative to take away.
    public var points: Int64
    public var reason: String
    /// Days until added points expire (default: the program's).
    public var expiresAfterDays: Int?

    public init(points: Int64, reason: String, expiresAfterDays: Int? = nil) {
        self.points = points
        self.reason = reason
        self.expiresAfterDays = expiresAfterDays
    }

    enum CodingKeys: String, CodingKey {
        case points, reason
        case expiresAfterDays = "expires_after_days"
    }
}

public struct AdjustmentResult: Codable, Sendable, Equatable {
    public var entry: LedgerEntry
    public var wallet: WalletSummary
}

/// One page of a customer's ledger, newest first.
public struct LedgerPage: Codable, Sendable, Equatable {
    public var entries: [LedgerEntry]
    /// Pass as `before` for the next page; nil on the last page.
    public var nextBefore: String?

    enum CodingKeys: String, CodingKey {
        case entries
        case nextBefore = "next_before"
    }
}

extension LoyaltyService {
    public func wallet(program: String, customerID: String) async throws -> WalletSummary {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.read(program: program) { session in
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.notFound(what: "customer", id: customerID)
            }
            let wallet = Wallet(
                programID: program, customerID: customerID,
                openLots: try await session.openLots(customerIDs: [customerID]), ids: environment.ids)
            return WalletSummary(wallet: wallet, settings: settings, at: time)
        }
    }

    public func ledger(program: String, customerID: String, limit: Int, before: String?) async throws -> LedgerPage {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { session in
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.notFound(what: "customer", id: customerID)
            }
            let entries = try await session.entries(customerID: customerID, limit: limit + 1, before: before)
            let page = Array(entries.prefix(limit))
            return LedgerPage(entries: page, nextBefore: entries.count > limit ? page.last?.id : nil)
        }
    }

    /// Spends points as money off, once per idempotency key. Takes the lots that expire first; never more than
    /// is available, never below zero.
    public func redeem(program: String, customerID: String, _ request: RedemptionRequest, idempotencyKey: String)
        async throws -> RedemptionResult
    {
        let settings = try await environment.programs.program(program).settings
        let requestHash = APIJSON.fingerprint(request, target: customerID)
        let time = now
        return try await store.write(program: program) { session in
            try await once(
                session, scope: "redemptions", key: idempotencyKey, label: "Idempotency-Key \(idempotencyKey)",
                requestHash: requestHash, at: time
            ) {
                guard try await session.customer(id: customerID) != nil else {
                    throw DomainError.notFound(what: "customer", id: customerID)
                }
                var wallet = try await loadWallet(session, customerID: customerID, at: time)
                let plan = try Redemption.plan(request, available: wallet.available(at: time), settings: settings)
                let redemptionID = environment.ids.make("red")
                let debit = wallet.debit(
                    plan.points, kind: .redeem, policy: .availableOnly, allowPartial: false,
                    reason: "redeemed for \(settings.currency.format(plan.amount)) \(settings.currency.code) off"
                        + (request.orderID.map { " order \($0)" } ?? ""),
                    source: .redemption, sourceID: redemptionID, at: time, now: time)
                guard let entry = debit.entry else {
                    throw DomainError.refused(code: "insufficient_points", detail: "not enough points available")
                }
                try await session.apply(wallet.changes)
                try await session.insertRedemption(
                    RedemptionRecord(
                        programID: program, id: redemptionID, customerID: customerID, idempotencyKey: idempotencyKey,
                        points: plan.points, amount: plan.amount, currency: settings.currency.code,
                        orderID: request.orderID,
                        rewardID: request.rewardID, entryID: entry.id, createdAt: time))
                Counter(label: "retain_points_redeemed_total").increment(by: Int(plan.points))
                let result = RedemptionResult(
                    redemptionID: redemptionID, customerID: customerID, points: plan.points, amount: plan.amount,
                    currency: settings.currency.code, orderID: request.orderID,
                    wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
                return result
            }
        }
    }

    /// Adds or removes points by hand, with a mandatory reason and the actor recorded; once per idempotency key.
    /// A removal takes available points first, then pending ones, and is refused if the balance would go negative.
    public func adjust(
        program: String, customerID: String, _ request: AdjustmentRequest, actor: String,
        idempotencyKey: String
    ) async throws -> AdjustmentResult {
        var validator = Validator()
        validator.check(request.points != 0, "points", "must not be 0")
        validator.check(abs(request.points) <= 1_000_000_000, "points", "must be within ±1000000000")
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check((3...500).contains(reason.count), "reason", "say why, in 3–500 characters")
        if let days = request.expiresAfterDays {
            validator.check((1...36500).contains(days), "expires_after_days", "must be 1–36500")
        }
        try validator.throwIfInvalid()
        let settings = try await environment.programs.program(program).settings
        let requestHash = APIJSON.fingerprint(request, target: customerID)
        let time = now
        return try await store.write(program: program) { session in
            try await once(
                session, scope: "adjustments", key: idempotencyKey, label: "Idempotency-Key \(idempotencyKey)",
                requestHash: requestHash, at: time
            ) {
                guard try await session.customer(id: customerID) != nil else {
                    throw DomainError.notFound(what: "customer", id: customerID)
                }
                var wallet = try await loadWallet(session, customerID: customerID, at: time)
                let entry: LedgerEntry
                if request.points > 0 {
                    let expiry =
                        request.expiresAfterDays.map {
                            LotExpiry(expiresAt: time.addingTimeInterval(Double($0) * 86_400), renews: false)
                        } ?? settings.lotExpiry(from: time)
                    entry = wallet.credit(
                        request.points, kind: .adjust, reason: reason, source: .admin, sourceID: nil, actor: actor,
                        at: time, expiry: expiry, now: time)
                } else {
                    let debit = wallet.debit(
                        -request.points, kind: .adjust, policy: .availableThenPending, allowPartial: false,
                        reason: reason,
                        source: .admin, sourceID: nil, actor: actor, at: time, now: time)
                    guard let written = debit.entry else {
                        throw DomainError.refused(
                            code: "insufficient_points",
                            detail:
                                "the balance is \(wallet.balance) points; taking \(-request.points) would make it negative"
                        )
                    }
                    entry = written
                }
                try await session.apply(wallet.changes)
                let result = AdjustmentResult(
                    entry: entry, wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
                return result
            }
        }
    }
}
