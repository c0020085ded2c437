import Foundation
import RetainCore

/// A customer's progress on one stamp card.
public struct StampCardView: Codable, Sendable, Equatable {
    public var cardID: String
    public var name: String
    public var stamps: Int
    public var of: Int
    public var completed: Int
    public var owed: Int
    public var startedAt: Date?
    /// When the open card's stamps are lost, if the card expires.
    public var expiresAt: Date?
    /// False for a card that does not restart and was filled.
    public var open: Bool

    enum CodingKeys: String, CodingKey {
        case cardID = "card_id"
        case name, stamps, of, completed, owed
        case startedAt = "started_at"
        case expiresAt = "expires_at"
        case open
    }
}

public struct StampCardList: Codable, Sendable, Equatable {
    public var cards: [StampCardView]
}

/// How the program's customers stand on one card.
public struct StampCardStats: Codable, Sendable, Equatable {
    public var cardID: String
    public var name: String
    public var of: Int
    /// Customers with at least one stamp ever.
    public var customers: Int
    /// Customers who filled at least one card.
    public var customersCompleted: Int
    /// Cards filled (and rewarded) in all.
    public var cardsCompleted: Int
    /// Customers by stamps on their open card: index 0 … of − 1 (index `of` counts closed full cards).
    public var openStamps: [Int]

    enum CodingKeys: String, CodingKey {
        case cardID = "card_id"
        case name, of, customers
        case customersCompleted = "customers_completed"
        case cardsCompleted = "cards_completed"
        case openStamps = "open_stamps"
    }
}

public struct StampCardReport: Codable, Sendable, Equatable {
    public var cards: [StampCardStats]
}

extension LoyaltyService {
    /// The customer's cards, one per card of the program (empty ones too).
    public func stampCards(program: String, customerID: String) async throws -> StampCardList {
        _ = try await environment.programs.program(program)
        let time = now
        return try await store.read(program: program) { session in
            guard try await session.customer(id: customerID) != nil else {
                throw DomainError.notFound(what: "customer", id: customerID)
            }
            let cards = try await session.configuration()?.configuration.stampCards ?? []
            let membership = try await session.memberships(customerIDs: [customerID]).first
            return StampCardList(
                cards: cards.map { card in
                    var state =
                        membership?.stampCards.first { $0.cardID == card.id } ?? StampCardState(cardID: card.id)
                    StampEngine.expire(&state, card: card, at: time)
                    return StampCardView(
                        cardID: card.id, name: card.name, stamps: state.stamps, of: card.stamps,
                        completed: state.completed, owed: state.owed, startedAt: state.startedAt,
                        expiresAt: card.expiresAfterDays.flatMap { days in
                            state.startedAt.map { $0.addingTimeInterval(Double(days) * 86_400) }
                        }, open: card.restart || state.completed == 0)
                })
        }
    }

    /// Every card's distribution over the program's customers, read page by page.
    public func stampCardReport(program: String) async throws -> StampCardReport {
        _ = try await environment.programs.program(program)
        let time = now
        return try await store.read(program: program) { session in
            let cards = try await session.configuration()?.configuration.stampCards ?? []
            var stats = cards.map {
                StampCardStats(
                    cardID: $0.id, name: $0.name, of: $0.stamps, customers: 0, customersCompleted: 0, cardsCompleted: 0,
                    openStamps: Array(repeating: 0, count: $0.stamps + 1))
            }
            var after: String?
            while true {
                let page = try await session.memberships(after: after, limit: 1_000)
                for membership in page {
                    for (index, card) in cards.enumerated() {
                        guard var state = membership.stampCards.first(where: { $0.cardID == card.id }),
                            state.completed > 0 || state.stamps > 0 || !state.orders.isEmpty
                        else { continue }
                        StampEngine.expire(&state, card: card, at: time)
                        stats[index].customers += 1
                        stats[index].cardsCompleted += state.completed
                        if state.completed > 0 { stats[index].customersCompleted += 1 }
                        stats[index].openStamps[min(state.stamps, card.stamps)] += 1
                    }
                }
                guard page.count == 1_000, let last = page.last else { break }
                after = last.customerID
            }
            return StampCardReport(cards: stats)
        }
    }
}
