import Foundation
import Logging
import RetainCore

/// The use cases of the loyalty ledger. Each public method runs in one store transaction and is the only place
/// where its business steps are ordered; extensions group them by subject (customers, orders, events, wallet,
/// rules, expiry).
public struct LoyaltyService: Sendable {
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }

    var store: any LoyaltyStore { environment.store }
    var now: Date { environment.clock.now() }

    /// The customer's wallet, with lots past their expiry already written off (lazy expiry, so a balance shown
    /// after a write never contains expired points).
    func loadWallet(_ session: any StoreSession, customerID: String, at time: Date) async throws -> Wallet {
        try await session.lockCustomers(ids: [customerID])
        var wallet = Wallet(
            programID: session.programID, customerID: customerID,
            openLots: try await session.openLots(customerIDs: [customerID]), ids: environment.ids)
        wallet.expireDue(at: time, now: time)
        return wallet
    }

    /// The membership steps of the program's current configuration.
    func membershipEngine(_ session: any StoreSession, settings: ProgramSettings) async throws -> MembershipEngine {
        MembershipEngine(configuration: try await session.configuration()?.configuration ?? .empty, settings: settings)
    }

    /// Stores a membership with the columns the scheduled job and reports select by.
    func saveMembership(
        _ membership: Membership?, engine: MembershipEngine, in session: any StoreSession, at time: Date
    )
        async throws
    {
        guard var membership, engine.configuration.tracksMembership else { return }
        try await session.insertRewardInstances(instances(for: &membership))
        try await session.saveMemberships([
            (membership, membership.tier?.effectiveTierID(at: time), engine.nextDue(membership))
        ])
    }

    /// The reward instances for the grants the membership steps made (free, with a fresh code); clears them.
    func instances(for membership: inout Membership) -> [RewardInstance] {
        defer { membership.grants = [] }
        return membership.grants.map { grant in
            RewardInstance(
                id: environment.ids.make("rwd"), code: RewardCode.make(), customerID: membership.customerID,
                reward: grant.reward, points: 0, issuedAt: grant.at, source: grant.source, entryID: nil)
        }
    }

    /// Looks the customer up by each identifier in matching priority (id, external id, card, e-mail, phone).
    func match(_ reference: CustomerReference, in session: any StoreSession) async throws -> Customer? {
        for lookup in reference.lookups {
            if let customer = try await session.findCustomer(lookup) { return customer }
        }
        return nil
    }

    /// Replays a remembered answer, or refuses a different request under the same key.
    func replay<T: Decodable>(_ type: T.Type, stored: Data?, storedHash: String, requestHash: String, key: String)
        throws -> T
    {
        guard storedHash == requestHash else {
            throw DomainError.conflict(
                "\(key) was already used for a different request; send the same body to retry, or use a new key")
        }
        guard let stored else { throw DomainError.conflict("\(key) was already used") }
        return try APIJSON.decode(type, from: stored)
    }

    /// Runs `body` once per idempotency key: a retry with the same request gets the stored answer, another request
    /// under the same key is a conflict, and the answer is stored in the same transaction as the work it answers.
    /// Without a key, `body` just runs.
    func once<T: Codable & Sendable>(
        _ session: any StoreSession, scope: String, key: String?, label: String, requestHash: String, at time: Date,
        _ body: () async throws -> T
    ) async throws -> T {
        guard let key else { return try await body() }
        if let record = try await session.idempotencyRecord(scope: scope, key: key) {
            return try replay(
                T.self, stored: record.response, storedHash: record.requestHash, requestHash: requestHash, key: label)
        }
        let result = try await body()
        try await session.insertIdempotencyRecords([
            IdempotencyRecord(
                scope: scope, key: key, requestHash: requestHash, response: try APIJSON.encode(result), createdAt: time)
        ])
        return result
    }

    /// Checks that no other customer already has one of this customer's unique identifiers.
    func ensureUnique(_ customer: Customer, in session: any StoreSession) async throws {
        let checks: [(String, CustomerLookup?)] = [
            ("external_id", customer.externalID.map(CustomerLookup.externalID)),
            ("card_number", customer.cardNumber.map(CustomerLookup.cardNumber)),
            ("email", customer.email.map(CustomerLookup.email)),
            ("phone", customer.phone.map(CustomerLookup.phone)),
        ]
        for (field, lookup) in checks {
            guard let lookup, let other = try await session.findCustomer(lookup), other.id != customer.id else {
                continue
            }
            throw DomainError.conflict("\(field) is already used by customer \(other.id)")
        }
    }

    /// Credits the once-per-customer bonuses that are due: the welcome bonus on sign-up and the completed-profile
    /// bonus (which also stamps `profileCompletedAt`).
    func creditMembershipBonuses(
        _ customer: inout Customer, isNew: Bool, rules: [EarningRule], settings: ProgramSettings,
        wallet: inout Wallet, at time: Date
    ) {
        let day = CivilDate(time, in: settings.zone)
        let active = rules.filter { $0.isInEffect(on: day) }.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        if isNew {
            for rule in active where rule.kind == .signupBonus {
                wallet.credit(
                    rule.points ?? 0, kind: .earn, reason: "welcome: \(rule.name)", source: .signup,
                    sourceID: customer.id,
                    ruleID: rule.id, at: time,
                    expiry: settings.lotExpiry(from: time, rule: rule), now: time)
            }
        }
        guard customer.profileCompletedAt == nil else { return }
        let profileRules = active.filter { $0.kind == .profileCompleted }
        let completed = profileRules.filter {
            customer.hasProfileFields($0.requiredFields.isEmpty ? Customer.profileFields : $0.requiredFields)
        }
        guard !completed.isEmpty else { return }
        customer.profileCompletedAt = time
        for rule in completed {
            wallet.credit(
                rule.points ?? 0, kind: .earn, reason: "profile completed: \(rule.name)", source: .profile,
                sourceID: customer.id, ruleID: rule.id, at: time,
                expiry: settings.lotExpiry(from: time, rule: rule), now: time)
        }
    }
}
