import Foundation
import RetainCore

/// A whole rule set, as `PUT /v1/earning-rules` and rules files carry it.
public struct RuleSet: Codable, Sendable, Equatable {
    public var rules: [EarningRule]

    public init(rules: [EarningRule]) { self.rules = rules }
}

extension LoyaltyService {
    public func rules(program: String) async throws -> [EarningRule] {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { session in
            try await session.rules().sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        }
    }

    /// Adds one rule; a rule without an id gets one. An id already in use is a conflict.
    public func createRule(program: String, _ rule: EarningRule, actor: String? = nil) async throws -> EarningRule {
        _ = try await environment.programs.program(program)
        var rule = rule
        if rule.id.isEmpty { rule.id = environment.ids.make("rule") }
        try rule.validate()
        let time = now
        let saved = rule
        return try await store.write(program: program) { session in
            if try await session.rules().contains(where: { $0.id == saved.id }) {
                throw DomainError.conflict(
                    "a rule with id \(saved.id) exists; PUT /v1/earning-rules/\(saved.id) changes it")
            }
            try await session.saveRule(saved, at: time)
            _ = try await Self.recordVersion(in: session, configuration: nil, actor: actor, at: time)
            return saved
        }
    }

    /// Creates or replaces the rule with this id.
    public func putRule(program: String, id: String, _ rule: EarningRule, actor: String? = nil) async throws
        -> EarningRule
    {
        _ = try await environment.programs.program(program)
        var rule = rule
        if !rule.id.isEmpty && rule.id != id {
            throw DomainError.invalid("id", "does not match the id in the path (\(id))")
        }
        rule.id = id
        try rule.validate()
        let time = now
        let saved = rule
        return try await store.write(program: program) { session in
            try await session.saveRule(saved, at: time)
            _ = try await Self.recordVersion(in: session, configuration: nil, actor: actor, at: time)
            return saved
        }
    }

    /// Replaces the whole rule set at once: every rule is validated first (errors name `rules[i].field`), rules
    /// not in the set are removed, and nothing changes unless all are valid.
    public func replaceRules(program: String, _ set: RuleSet, actor: String? = nil) async throws -> [EarningRule] {
        _ = try await environment.programs.program(program)
        let (rules, issues) = Self.checked(set)
        if !issues.isEmpty { throw DomainError.invalid(issues) }
        let time = now
        return try await store.write(program: program) { session in
            let replaced = try await Self.replace(rules, in: session, at: time)
            _ = try await Self.recordVersion(in: session, configuration: nil, actor: actor, at: time)
            return replaced
        }
    }

    /// The rules with ids given by position where missing, and every issue, named `rules[i].field`.
    static func checked(_ set: RuleSet) -> ([EarningRule], [FieldIssue]) {
        var issues: [FieldIssue] = []
        var rules = set.rules
        var seen: Set<String> = []
        for index in rules.indices {
            if rules[index].id.isEmpty { rules[index].id = "rule_\(index + 1)" }
            issues += rules[index].issues(prefix: "rules[\(index)].")
            if !seen.insert(rules[index].id).inserted {
                issues.append(FieldIssue("rules[\(index)].id", "is used twice"))
            }
        }
        return (rules, issues)
    }

    static func replace(_ replacement: [EarningRule], in session: any StoreSession, at time: Date) async throws
        -> [EarningRule]
    {
        let keep = Set(replacement.map(\.id))
        for old in try await session.rules() where !keep.contains(old.id) {
            try await session.deleteRule(id: old.id)
        }
        let current = Dictionary(try await session.rules().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for rule in replacement where current[rule.id] != rule { try await session.saveRule(rule, at: time) }
        return replacement.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
    }
}

extension LoyaltyService {
    public func deleteRule(program: String, id: String, actor: String? = nil) async throws {
        _ = try await environment.programs.program(program)
        let time = now
        try await store.write(program: program) { session in
            guard try await session.rules().contains(where: { $0.id == id }) else {
                throw DomainError.notFound(what: "earning rule", id: id)
            }
            try await session.deleteRule(id: id)
            _ = try await Self.recordVersion(in: session, configuration: nil, actor: actor, at: time)
        }
    }
}
