import Foundation
import Metrics
import RetainCore

/// A catalogue reward with what is left of it.
public struct RewardOffer: Codable, Sendable, Equatable {
    public var reward: Reward
    /// Instances issued and not cancelled.
    public var issued: Int
    /// What may still be issued; nil when the stock is unlimited.
    public var stockLeft: Int?

    enum CodingKeys: String, CodingKey {
        case reward, issued
        case stockLeft = "stock_left"
    }
}

public struct RewardCatalogue: Codable, Sendable, Equatable {
    public var rewards: [RewardOffer]
}

public struct RewardInstanceList: Codable, Sendable, Equatable {
    public var rewards: [RewardInstance]
}

/// A redeemed reward and the wallet after it.
public struct RewardRedemption: Codable, Sendable, Equatable {
    public var reward: RewardInstance
    public var wallet: WalletSummary
}

/// Which reward to redeem.
public struct RewardRedemptionRequest: Codable, Sendable, Equatable {
    public var rewardID: String

    public init(rewardID: String) { self.rewardID = rewardID }

    enum CodingKeys: String, CodingKey { case rewardID = "reward_id" }
}

/// The order a code is used on.
public struct RewardUseRequest: Codable, Sendable, Equatable {
    public var orderID: String

    public init(orderID: String) { self.orderID = orderID }

    enum CodingKeys: String, CodingKey { case orderID = "order_id" }
}

extension LoyaltyService {
    /// The catalogue, with issued counts and stock left.
    public func rewardCatalogue(program: String) async throws -> RewardCatalogue {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { session in
            let rewards = try await session.configuration()?.configuration.rewards ?? []
            var offers: [RewardOffer] = []
            for reward in rewards {
                let issued = try await session.countRewardInstances(rewardID: reward.id, customerID: nil)
                offers.append(
                    RewardOffer(reward: reward, issued: issued, stockLeft: reward.stock.map { max(0, $0 - issued) }))
            }
            return RewardCatalogue(rewards: offers)
        }
    }

    /// Spends the reward's points and issues the customer an instance with a fresh code; once per idempotency key.
    /// Refused (with a code) when the reward is unknown, not available now, for other tiers, out of stock, over the
    /// per-customer limit, or the customer has too few available points.
    public func redeemReward(
        program: String, customerID: String, _ request: RewardRedemptionRequest, idempotencyKey: String
    ) async throws -> RewardRedemption {
        let settings = try await environment.programs.program(program).settings
        let requestHash = APIJSON.fingerprint(request, target: customerID)
        let time = now
        return try await store.write(program: program) { session in
            try await once(
                session, scope: "rewards", key: idempotencyKey, label: "Idempotency-Key \(idempotencyKey)",
                requestHash: requestHash, at: time
            ) {
                guard try await session.customer(id: customerID) != nil else {
                    throw DomainError.notFound(what: "customer", id: customerID)
                }
                let engine = try await membershipEngine(session, settings: settings)
                guard let reward = engine.configuration.reward(request.rewardID) else {
                    throw DomainError.invalid("reward_id", "no reward \(request.rewardID) in this program's catalogue")
                }
                if let from = reward.availableFrom, time < from {
                    throw DomainError.refused(
                        code: "reward_not_available",
                        detail: "\(reward.name) can be redeemed from \(RFC3339.string(from))")
                }
                if let until = reward.availableUntil, time >= until {
                    throw DomainError.refused(
                        code: "reward_not_available",
                        detail: "\(reward.name) could be redeemed until \(RFC3339.string(until))")
                }
                var wallet = try await loadWallet(session, customerID: customerID, at: time)
                if !reward.tiers.isEmpty {
                    var membership = engine.membership(
                        try await session.memberships(customerIDs: [customerID]).first, customerID: customerID,
                        at: time)
                    engine.catchUp(&membership, to: time)
                    let tier = membership.tier?.effectiveTierID(at: time) ?? ""
                    guard reward.tiers.contains(tier) else {
                        throw DomainError.refused(
                            code: "reward_tier_only",
                            detail:
                                "\(reward.name) is for tiers \(reward.tiers.joined(separator: ", ")); the customer is \(tier)"
                        )
                    }
                }
                if let stock = reward.stock,
                    try await session.countRewardInstances(rewardID: reward.id, customerID: nil) >= stock
                {
                    throw DomainError.refused(code: "reward_out_of_stock", detail: "\(reward.name) is out of stock")
                }
                if let limit = reward.perCustomer,
                    try await session.countRewardInstances(rewardID: reward.id, customerID: customerID) >= limit
                {
                    throw DomainError.refused(
                        code: "reward_limit_reached", detail: "a customer may have \(reward.name) \(limit) time(s)")
                }
                let id = environment.ids.make("rwd")
                var entryID: String?
                if reward.points > 0 {
                    let debit = wallet.debit(
                        reward.points, kind: .redeem, policy: .availableOnly, allowPartial: false,
                        reason: "redeemed for \(reward.name)", source: .redemption, sourceID: id, at: time, now: time)
                    guard let entry = debit.entry else {
                        throw DomainError.refused(
                            code: "insufficient_points",
                            detail:
                                "\(reward.name) costs \(reward.points) points; \(wallet.available(at: time)) are available"
                        )
                    }
                    entryID = entry.id
                }
                let instance = RewardInstance(
                    id: id, code: RewardCode.make(), customerID: customerID, reward: reward, points: reward.points,
                    issuedAt: time, source: "redemption", entryID: entryID)
                try await session.apply(wallet.changes)
                try await session.insertRewardInstances([instance])
                Counter(label: "retain_points_redeemed_total").increment(by: Int(reward.points))
                return RewardRedemption(
                    reward: instance, wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
            }
        }
    }

    /// The customer's rewards, newest first, with their status as of now.
    public func rewardInstances(program: String, customerID: String) async throws -> RewardInstanceList {
        _ = try await environment.programs.program(program)
        let time = now
        return try await store.read(program: program) { session in
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.notFound(what: "customer", id: customerID)
            }
            return RewardInstanceList(
                rewards: try await session.rewardInstances(customerID: customerID).map { Self.asOf($0, time) })
        }
    }

    /// The reward a code names, with its status as of now.
    public func rewardByCode(program: String, code: String) async throws -> RewardInstance {
        _ = try await environment.programs.program(program)
        let time = now
        return try await store.read(program: program) { session in
            Self.asOf(try await Self.instance(code, in: session), time)
        }
    }

    /// Uses a code on an order. Using it again on the same order answers the same; on another order is a conflict;
    /// an expired or cancelled code is refused.
    public func useReward(program: String, code: String, _ request: RewardUseRequest) async throws -> RewardInstance {
        _ = try await environment.programs.program(program)
        let orderID = request.orderID.trimmingCharacters(in: .whitespaces)
        guard (1...128).contains(orderID.count) else {
            throw DomainError.invalid("order_id", "must be 1–128 characters")
        }
        let time = now
        return try await store.write(program: program) { session in
            var instance = try await Self.instance(code, in: session)
            switch instance.status(at: time) {
            case .used:
                guard instance.orderID == orderID else {
                    throw DomainError.conflict("code \(instance.code) was used on order \(instance.orderID ?? "")")
                }
                return instance
            case .expired:
                throw DomainError.refused(
                    code: "reward_expired",
                    detail: "code \(instance.code) expired \(RFC3339.string(instance.expiresAt))")
            case .cancelled:
                throw DomainError.refused(code: "reward_cancelled", detail: "code \(instance.code) was cancelled")
            case .issued:
                instance.status = .used
                instance.usedAt = time
                instance.orderID = orderID
                try await session.updateRewardInstance(instance)
                return instance
            }
        }
    }

    /// Cancels an issued reward and gives its points back (as a new lot, dated now). Cancelling it again answers
    /// the same; a used or expired reward cannot be cancelled.
    public func cancelReward(program: String, code: String) async throws -> RewardInstance {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.write(program: program) { session in
            var instance = try await Self.instance(code, in: session)
            switch instance.status(at: time) {
            case .cancelled: return instance
            case .used:
                throw DomainError.refused(
                    code: "reward_used", detail: "code \(instance.code) was used on order \(instance.orderID ?? "")")
            case .expired:
                throw DomainError.refused(code: "reward_expired", detail: "code \(instance.code) has expired")
            case .issued:
                instance.status = .cancelled
                instance.cancelledAt = time
                if instance.points > 0 {
                    var wallet = try await loadWallet(session, customerID: instance.customerID, at: time)
                    let entry = wallet.credit(
                        instance.points, kind: .adjust, reason: "reward \(instance.rewardName) cancelled",
                        source: .redemption, sourceID: instance.id, at: time,
                        expiry: settings.lotExpiry(from: time), now: time)
                    instance.refundEntryID = entry.id
                    try await session.apply(wallet.changes)
                }
                try await session.updateRewardInstance(instance)
                return instance
            }
        }
    }

    /// Marks issued rewards whose code ran out as expired (points are not given back); part of the scheduled job.
    public func expireRewards(program: String, asOf time: Date) async throws -> Int {
        var total = 0
        while true {
            let count = try await store.write(program: program) { session -> Int in
                let due = try await session.dueRewardInstances(asOf: time, limit: 500)
                for var instance in due {
                    instance.status = .expired
                    try await session.updateRewardInstance(instance)
                }
                return due.count
            }
            total += count
            if count < 500 { return total }
        }
    }

    private static func instance(_ code: String, in session: any StoreSession) async throws -> RewardInstance {
        guard let normalized = RewardCode.normalize(code),
            let instance = try await session.rewardInstance(code: normalized)
        else { throw DomainError.notFound(what: "reward code", id: code) }
        return instance
    }

    private static func asOf(_ instance: RewardInstance, _ time: Date) -> RewardInstance {
        var shown = instance
        shown.status = instance.status(at: time)
        return shown
    }
}
