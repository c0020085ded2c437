import Foundation
import RetainCore

/// What a changed program would have given the orders of the last days, next to what the program in force gives
/// them. Only earning rules and stamp cards are replayed (per order, from an empty card); tier multipliers,
/// reviews and automatic rewards depend on each customer's history and are not.
public struct DryRunReport: Codable, Sendable, Equatable {
    public struct RuleTotal: Codable, Sendable, Equatable {
        public var ruleID: String
        public var current: Int64
        public var proposed: Int64

        enum CodingKeys: String, CodingKey {
            case ruleID = "rule_id"
            case current, proposed
        }
    }

    public struct OrderChange: Codable, Sendable, Equatable {
        public var orderID: String
        public var customerID: String?
        public var current: Int64
        public var proposed: Int64

        enum CodingKeys: String, CodingKey {
            case orderID = "order_id"
            case customerID = "customer_id"
            case current, proposed
        }
    }

    public struct CardStamps: Codable, Sendable, Equatable {
        public var cardID: String
        public var stamps: Int
        public var orders: Int

        enum CodingKeys: String, CodingKey {
            case cardID = "card_id"
            case stamps, orders
        }
    }

    public var days: Int
    public var from: Date
    public var orders: Int
    public var customers: Int
    /// What the orders were given when recorded (tier bonuses included).
    public var pointsRecorded: Int64
    /// What the rules in force give them now.
    public var pointsCurrent: Int64
    /// What the changed rules would give them.
    public var pointsProposed: Int64
    public var ordersChanged: Int
    public var customersChanged: Int
    public var rules: [RuleTotal]
    /// The orders whose points change most, at most 20.
    public var biggestChanges: [OrderChange]
    public var stampCards: [CardStamps]

    enum CodingKeys: String, CodingKey {
        case days, from, orders, customers
        case pointsRecorded = "points_recorded"
        case pointsCurrent = "points_current"
        case pointsProposed = "points_proposed"
        case ordersChanged = "orders_changed"
        case customersChanged = "customers_changed"
        case rules
        case biggestChanges = "biggest_changes"
        case stampCards = "stamp_cards"
    }
}

extension LoyaltyService {
    /// Replays the last `days` days of orders under `definition` and under the program in force; writes nothing.
    /// The definition is validated first, like a load.
    public func dryRun(program: String, _ definition: ProgramDefinition, days: Int) async throws -> DryRunReport {
        let settings = try await environment.programs.program(program).settings
        guard (1...3650).contains(days) else { throw DomainError.invalid("days", "must be 1–3650") }
        let (proposedRules, ruleIssues) = Self.checked(RuleSet(rules: definition.rules))
        let issues = ruleIssues + definition.configuration.issues()
        if !issues.isEmpty { throw DomainError.invalid(issues) }
        let from = now.addingTimeInterval(-Double(days) * 86_400)
        return try await store.read(program: program) { session in
            let currentRules = try await session.rules()
            var report = DryRunReport(
                days: days, from: from, orders: 0, customers: 0, pointsRecorded: 0, pointsCurrent: 0, pointsProposed: 0,
                ordersChanged: 0, customersChanged: 0, rules: [], biggestChanges: [],
                stampCards: definition.stampCards.map { .init(cardID: $0.id, stamps: 0, orders: 0) })
            var customers: Set<String> = []
            var changedCustomers: Set<String> = []
            var byRule: [String: (Int64, Int64)] = [:]
            var changes: [DryRunReport.OrderChange] = []
            var after: String?
            repeat {
                let page = try await session.orders(placedAfter: from, after: after, limit: 1_000)
                for record in page where record.status != .unmatched {
                    let current = EarningEngine.evaluate(order: record.input, rules: currentRules, settings: settings)
                    let proposed = EarningEngine.evaluate(
                        order: record.input, rules: proposedRules, settings: settings)
                    let currentPoints = current.reduce(Int64(0)) { $0 + $1.points }
                    let proposedPoints = proposed.reduce(Int64(0)) { $0 + $1.points }
                    report.orders += 1
                    report.pointsRecorded += record.pointsEarned
                    report.pointsCurrent += currentPoints
                    report.pointsProposed += proposedPoints
                    for award in current { byRule[award.ruleID, default: (0, 0)].0 += award.points }
                    for award in proposed { byRule[award.ruleID, default: (0, 0)].1 += award.points }
                    if let customer = record.customerID { customers.insert(customer) }
                    if currentPoints != proposedPoints {
                        report.ordersChanged += 1
                        if let customer = record.customerID { changedCustomers.insert(customer) }
                        changes.append(
                            .init(
                                orderID: record.orderID, customerID: record.customerID, current: currentPoints,
                                proposed: proposedPoints))
                    }
                    for (index, card) in definition.stampCards.enumerated() {
                        let stamps = card.stamps(for: record.input)
                        report.stampCards[index].stamps += stamps
                        if stamps > 0 { report.stampCards[index].orders += 1 }
                    }
                }
                after = page.count == 1_000 ? page.last?.orderID : nil
            } while after != nil
            report.customers = customers.count
            report.customersChanged = changedCustomers.count
            report.rules = byRule.keys.sorted().map {
                .init(ruleID: $0, current: byRule[$0]!.0, proposed: byRule[$0]!.1)
            }
            report.biggestChanges = Array(
                changes.sorted {
                    (abs($0.proposed - $0.current), $1.orderID) > (abs($1.proposed - $1.current), $0.orderID)
                }
                .prefix(20))
            return report
        }
    }
}
