import Foundation
import RetainCore

/// An admin's request to put a customer in a tier until a date, whatever they qualify for.
public struct TierOverrideRequest: Codable, Sendable, Equatable {
    public var tierID: String
    public var reason: String
    public var until: Date

    public init(tierID: String, reason: String, until: Date) {
        self.tierID = tierID
        self.reason = reason
        self.until = until
    }

    enum CodingKeys: String, CodingKey {
        case tierID = "tier_id"
        case reason, until
    }
}

/// How many customers hold each tier.
public struct TierDistribution: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var tierID: String
        public var name: String
        public var customers: Int

        enum CodingKeys: String, CodingKey {
            case tierID = "tier_id"
            case name, customers
        }
    }

    public var tiers: [Row]
}

extension LoyaltyService {
    /// The configuration in force (an empty one, version 0, before any was saved).
    public func configuration(program: String) async throws -> ConfigurationVersion {
        let created = try await environment.programs.program(program).createdAt
        return try await store.read(program: program) { session in
            try await session.configuration()
                ?? ConfigurationVersion(version: 0, configuration: .empty, createdAt: created, actor: nil)
        }
    }

    /// Every saved version, newest first.
    public func configurationVersions(program: String) async throws -> [ConfigurationVersion] {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { try await $0.configurationVersions(limit: 1_000) }
    }

    /// Saves a new version after validating all of it (errors name the path of each bad field). Saving what is
    /// already in force changes nothing and returns the current version.
    public func saveConfiguration(program: String, _ configuration: LoyaltyConfiguration, actor: String?)
        async throws -> ConfigurationVersion
    {
        _ = try await environment.programs.program(program)
        try configuration.validate()
        let time = now
        return try await store.write(program: program) { session in
            try await Self.recordVersion(in: session, configuration: configuration, actor: actor, at: time)
        }
    }

    /// Records a new program version when the rules or the configuration (nil: the current one) differ from the
    /// newest version; answers the version in force. Called in the transaction of every change to either.
    static func recordVersion(
        in session: any StoreSession, configuration: LoyaltyConfiguration?, actor: String?, at time: Date
    ) async throws -> ConfigurationVersion {
        let current = try await session.configuration()
        let rules = try await session.rules().sorted { $0.id < $1.id }
        let wanted = configuration ?? current?.configuration ?? .empty
        if let current, current.configuration == wanted, current.rules == rules { return current }
        if current == nil && wanted == .empty && rules.isEmpty {
            return ConfigurationVersion(version: 0, configuration: .empty, createdAt: time, actor: nil)
        }
        let saved = ConfigurationVersion(
            version: (current?.version ?? 0) + 1, configuration: wanted, rules: rules, createdAt: time, actor: actor)
        try await session.insertConfiguration(saved)
        return saved
    }

    /// The customer's tier, what it gives, and what the next one needs.
    public func tierProgress(program: String, customerID: String) async throws -> TierProgress {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.read(program: program) { session in
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.notFound(what: "customer", id: customerID)
            }
            let (engine, tiers) = try await tierEngine(session, settings: settings)
            let stored = try await session.memberships(customerIDs: [customerID]).first
            let membership = engine.membership(stored, customerID: customerID, at: time)
            return tiers.progress(membership.tier!, at: time)
        }
    }

    /// Puts the customer in a tier until a date; the earned tier keeps moving underneath and is back when the
    /// override ends.
    public func overrideTier(program: String, customerID: String, _ request: TierOverrideRequest, actor: String)
        async throws -> TierProgress
    {
        let settings = try await environment.programs.program(program).settings
        let time = now
        var validator = Validator()
        validator.check(
            (1...500).contains(request.reason.trimmingCharacters(in: .whitespaces).count), "reason",
            "say why, in 1–500 characters")
        validator.check(request.until > time, "until", "must be in the future")
        try validator.throwIfInvalid()
        return try await store.write(program: program) { session in
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.notFound(what: "customer", id: customerID)
            }
            let (engine, tiers) = try await tierEngine(session, settings: settings)
            guard tiers.ladder.tier(request.tierID) != nil else {
                throw DomainError.invalid(
                    "tier_id",
                    "no tier \(request.tierID); tiers are \(tiers.ladder.tiers.map(\.id).joined(separator: ", "))")
            }
            try await session.lockCustomers(ids: [customerID])
            var membership = engine.membership(
                try await session.memberships(customerIDs: [customerID]).first, customerID: customerID, at: time)
            engine.catchUp(&membership, to: time)
            var standing = membership.tier!
            standing.history.append(
                .init(
                    at: time, from: standing.effectiveTierID(at: time), to: request.tierID, reason: .override,
                    note: request.reason, actor: actor))
            standing.override = .init(
                tierID: request.tierID, reason: request.reason, until: request.until, actor: actor, setAt: time)
            membership.tier = standing
            try await saveMembership(membership, engine: engine, in: session, at: time)
            return tiers.progress(standing, at: time)
        }
    }

    /// Runs every tier review and override end due by `asOf`, in batches of customers; a second or concurrent run
    /// finds nothing due, and a run after downtime reviews each missed period in turn.
    public func reviewTiers(program: String, asOf time: Date) async throws -> (reviewed: Int, changes: Int) {
        let settings = try await environment.programs.program(program).settings
        var reviewed = 0
        var changes = 0
        var cursor: DueCursor?
        repeat {
            let after = cursor
            let batch = try await store.write(program: program) { session -> (Int, Int, DueCursor?) in
                let engine = try await membershipEngine(session, settings: settings)
                guard engine.configuration.tracksMembership else { return (0, 0, nil) }
                let page = try await session.customersWithDueMemberships(asOf: time, after: after, limit: 500)
                let due = page.customerIDs
                // Order batches change memberships beside this job with row locks only.
                try await session.lockCustomers(ids: due)
                var saved: [(membership: Membership, tierID: String?, dueAt: Date?)] = []
                var changed = 0
                for var membership in try await session.memberships(customerIDs: due) {
                    let before = membership.tier?.history.count ?? 0
                    engine.catchUp(&membership, to: time)
                    changed += (membership.tier?.history.count ?? 0) - before
                    saved.append((membership, membership.tier?.effectiveTierID(at: time), engine.nextDue(membership)))
                }
                try await session.saveMemberships(saved)
                return (due.count, changed, page.next)
            }
            cursor = batch.2
            reviewed += batch.0
            changes += batch.1
        } while cursor != nil
        return (reviewed, changes)
    }

    /// Customers per tier, in ladder order.
    public func tierDistribution(program: String) async throws -> TierDistribution {
        let settings = try await environment.programs.program(program).settings
        return try await store.read(program: program) { session in
            let (_, tiers) = try await tierEngine(session, settings: settings)
            let counts = try await session.tierCounts()
            let first = tiers.ladder.tiers[0].id
            return TierDistribution(
                tiers: tiers.ladder.tiers.map {
                    .init(
                        tierID: $0.id, name: $0.name,
                        customers: (counts[$0.id] ?? 0) + ($0.id == first ? max(0, counts[""] ?? 0) : 0))
                })
        }
    }

    private func tierEngine(_ session: any StoreSession, settings: ProgramSettings) async throws
        -> (MembershipEngine, TierEngine)
    {
        let engine = try await membershipEngine(session, settings: settings)
        guard let tiers = engine.tiers else {
            throw DomainError.refused(
                code: "no_tiers", detail: "this program has no tiers; add a tiers ladder to its configuration")
        }
        return (engine, tiers)
    }
}
