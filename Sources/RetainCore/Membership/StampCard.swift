import Foundation

/// "Every 6th mug free": a card of `stamps` stamps. Purchases that meet the conditions stamp it (one stamp per
/// order, or one per matching item); the stamp that fills it gives the reward, and the card starts again
/// (`restart`) or stays full. A card can expire `expires_after_days` after its first stamp, losing its stamps.
///
/// Returns: a per-item card takes back one stamp per returned matching item, a per-order card its stamp when the
/// whole order is returned. Stamps still on the open card are removed; stamps that helped fill a card already
/// rewarded cannot be removed from it — the reward stands, and the customer owes those stamps: they are taken
/// from the open card's other stamps first, then from the next purchases, before any new stamp counts.
public struct StampCard: Codable, Sendable, Equatable {
    public enum Per: String, Codable, Sendable, CaseIterable {
        case order, item
    }

    public struct Conditions: Codable, Sendable, Equatable {
        /// Only lines with one of these SKUs stamp (empty: any).
        public var skus: [String]
        /// Only lines in one of these categories stamp (empty: any).
        public var categories: [String]
        /// The order must be at least this much (minor units) to stamp at all.
        public var minOrderAmount: Int64?

        public init(skus: [String] = [], categories: [String] = [], minOrderAmount: Int64? = nil) {
            self.skus = skus
            self.categories = categories
            self.minOrderAmount = minOrderAmount
        }

        enum CodingKeys: String, CodingKey {
            case skus, categories
            case minOrderAmount = "min_order_amount"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            skus = try container.decodeIfPresent([String].self, forKey: .skus) ?? []
            categories = try container.decodeIfPresent([String].self, forKey: .categories) ?? []
            minOrderAmount = try container.decodeIfPresent(Int64.self, forKey: .minOrderAmount)
        }

        /// Whether a line (nil: an order without lines) counts.
        public func matches(_ line: OrderLine?) -> Bool {
            guard let line else { return skus.isEmpty && categories.isEmpty }
            if !skus.isEmpty && !skus.contains(line.sku ?? "\u{0}") { return false }
            if !categories.isEmpty && !categories.contains(line.category ?? "\u{0}") { return false }
            return true
        }
    }

    /// What a full card gives: points, or a catalogue reward issued free (a free item, a coupon).
    public struct Reward: Codable, Sendable, Equatable {
        public var points: Int64?
        public var rewardID: String?

        public init(points: Int64? = nil, rewardID: String? = nil) {
            self.points = points
            self.rewardID = rewardID
        }

        enum CodingKeys: String, CodingKey {
            case points
            case rewardID = "reward_id"
        }
    }

    public var id: String
    public var name: String
    public var stamps: Int
    public var per: Per
    public var conditions: Conditions
    public var reward: Reward
    public var expiresAfterDays: Int?
    public var restart: Bool

    public init(
        id: String, name: String, stamps: Int, per: Per = .order, conditions: Conditions = Conditions(),
        reward: Reward, expiresAfterDays: Int? = nil, restart: Bool = true
    ) {
        self.id = id
        self.name = name
        self.stamps = stamps
        self.per = per
        self.conditions = conditions
        self.reward = reward
        self.expiresAfterDays = expiresAfterDays
        self.restart = restart
    }

    enum CodingKeys: String, CodingKey {
        case id, name, stamps, per, conditions, reward
        case expiresAfterDays = "expires_after_days"
        case restart
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        stamps = try container.decode(Int.self, forKey: .stamps)
        per = try container.decodeIfPresent(Per.self, forKey: .per) ?? .order
        conditions = try container.decodeIfPresent(Conditions.self, forKey: .conditions) ?? Conditions()
        reward = try container.decode(Reward.self, forKey: .reward)
        expiresAfterDays = try container.decodeIfPresent(Int.self, forKey: .expiresAfterDays)
        restart = try container.decodeIfPresent(Bool.self, forKey: .restart) ?? true
    }

    /// Stamps `order` earns on this card.
    public func stamps(for order: OrderInput) -> Int {
        if let minimum = conditions.minOrderAmount, order.paid < minimum { return 0 }
        if order.lines.isEmpty { return conditions.matches(nil) ? 1 : 0 }
        let matching = order.lines.filter { conditions.matches($0) }
        switch per {
        case .order: return matching.isEmpty ? 0 : 1
        case .item: return Int(min(matching.reduce(Int64(0)) { $0 + max(0, $1.quantity) }, 1_000_000))
        }
    }

    public func issues(prefix: String) -> [FieldIssue] {
        var validator = Validator()
        validator.check(
            (1...64).contains(id.count) && !id.contains("/"), prefix + "id", "must be 1–64 characters without /")
        validator.check((1...120).contains(name.count), prefix + "name", "must be 1–120 characters")
        validator.check((2...1000).contains(stamps), prefix + "stamps", "must be 2–1000")
        switch (reward.points, reward.rewardID) {
        case (let points?, nil):
            validator.check((1...1_000_000_000).contains(points), prefix + "reward.points", "must be 1–1000000000")
        case (nil, _?): break
        default: validator.add(prefix + "reward", "give exactly one of points or reward_id")
        }
        if let days = expiresAfterDays {
            validator.check((1...3650).contains(days), prefix + "expires_after_days", "must be 1–3650")
        }
        if let minimum = conditions.minOrderAmount {
            validator.check(minimum >= 0, prefix + "conditions.min_order_amount", "must not be negative")
        }
        return validator.issues
    }
}

/// One customer's progress on one stamp card.
public struct StampCardState: Codable, Sendable, Equatable {
    public var cardID: String
    /// Stamps on the open card (always below the card's size while it restarts).
    public var stamps: Int
    public var startedAt: Date?
    public var completed: Int
    /// Stamps taken back by returns that could not come off a rewarded card; paid before new stamps count.
    public var owed: Int
    /// Stamps each recent order gave (for returns), and how many were taken back.
    public var orders: [OrderStamps]

    public struct OrderStamps: Codable, Sendable, Equatable {
        public var orderID: String
        public var given: Int
        /// Of `given`, still on the open card.
        public var open: Int
        public var takenBack: Int

        enum CodingKeys: String, CodingKey {
            case orderID = "order_id"
            case given, open
            case takenBack = "taken_back"
        }
    }

    public init(cardID: String) {
        self.cardID = cardID
        stamps = 0
        startedAt = nil
        completed = 0
        owed = 0
        orders = []
    }

    enum CodingKeys: String, CodingKey {
        case cardID = "card_id"
        case stamps
        case startedAt = "started_at"
        case completed, owed, orders
    }

    /// Orders remembered for returns.
    static let rememberedOrders = 200
}

/// The stamp-card rules of `StampCard`, as pure functions.
public enum StampEngine {
    /// Empties a card whose time ran out before `time`.
    public static func expire(_ state: inout StampCardState, card: StampCard, at time: Date) {
        guard let days = card.expiresAfterDays, let started = state.startedAt,
            started.addingTimeInterval(Double(days) * 86_400) <= time
        else { return }
        state.stamps = 0
        state.startedAt = nil
        for index in state.orders.indices { state.orders[index].open = 0 }
    }

    /// Stamps an order; returns how many cards it filled (each gives the reward once).
    public static func stamp(_ state: inout StampCardState, card: StampCard, order: OrderInput) -> Int {
        expire(&state, card: card, at: order.placedAt)
        var count = card.stamps(for: order)
        guard count > 0, card.restart || state.completed == 0 else { return 0 }
        let paid = min(state.owed, count)
        state.owed -= paid
        count -= paid
        var record = StampCardState.OrderStamps(orderID: order.orderID, given: 0, open: 0, takenBack: 0)
        var filled = 0
        while count > 0 {
            if state.stamps == 0 { state.startedAt = order.placedAt }
            let take = min(card.stamps - state.stamps, count)
            state.stamps += take
            record.given += take
            record.open += take
            count -= take
            if state.stamps == card.stamps {
                filled += 1
                state.completed += 1
                // The stamps are on a rewarded card now: none of them is open any more.
                record.open = 0
                for index in state.orders.indices { state.orders[index].open = 0 }
                guard card.restart else { break }
                state.stamps = 0
                state.startedAt = nil
            }
        }
        if record.given > 0 {
            state.orders.append(record)
            if state.orders.count > StampCardState.rememberedOrders { state.orders.removeFirst() }
        }
        return filled
    }

    /// Takes back the stamps a return undoes (see `StampCard` for the rule).
    public static func takeBack(
        _ state: inout StampCardState, card: StampCard, orderID: String, returnedMatchingUnits: Int,
        wholeOrderReturned: Bool
    ) {
        guard let index = state.orders.firstIndex(where: { $0.orderID == orderID }) else { return }
        let remaining = state.orders[index].given - state.orders[index].takenBack
        let wanted: Int
        switch card.per {
        case .item: wanted = min(returnedMatchingUnits, remaining)
        case .order: wanted = wholeOrderReturned ? remaining : 0
        }
        guard wanted > 0 else { return }
        state.orders[index].takenBack += wanted
        // First the order's own stamps on the open card, then other open stamps, then owed. A full card that does
        // not restart is rewarded and closed: nothing comes off it.
        let open = card.restart || state.completed == 0 ? state.stamps : 0
        let own = min(wanted, state.orders[index].open, open)
        state.orders[index].open -= own
        state.stamps -= own
        var rest = wanted - own
        let other = min(rest, open - own)
        if other > 0 {
            state.stamps -= other
            var left = other
            for position in state.orders.indices where left > 0 {
                let take = min(left, state.orders[position].open)
                state.orders[position].open -= take
                left -= take
            }
        }
        rest -= other
        state.owed += rest
        if state.stamps == 0 { state.startedAt = nil }
    }
}
