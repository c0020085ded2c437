import Foundation

/// A rule that awards points. Rules are data: created and changed through the API or a rules file, validated by
/// `validate()`, and evaluated by `EarningEngine` in a fixed order (see `EarningEngine`).
public struct EarningRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `points` for every `per_amount` minor units of the eligible amount.
        case pointsPerAmount = "points_per_amount"
        /// `percent` of the eligible amount given back as points at the program's point value.
        case cashback
        /// Multiplies what the two kinds above give on matching lines by `factor` (the highest factor wins).
        case multiplier
        /// A fixed `points` bonus for an order that meets the conditions.
        case orderBonus = "order_bonus"
        /// Lines matching the conditions earn nothing from any order rule (gift cards, delivery).
        case exclusion
        /// `points` once when a customer joins.
        case signupBonus = "signup_bonus"
        /// `points` once when the profile has every field in `required_fields`.
        case profileCompleted = "profile_completed"
        /// `points` for each custom event named `event_name`, at most `cap.max_times` per `cap.period`.
        case event
    }

    public enum Rounding: String, Codable, Sendable, CaseIterable {
        /// Round down: 1 point per 1.00 gives 12 points for 12.99.
        case floor
        /// Round half up: 12.50 → 13.
        case nearest
        /// Round up.
        case ceil
    }

    public struct Cap: Codable, Sendable, Equatable {
        public enum Period: String, Codable, Sendable, CaseIterable { case day, week, month }
        public var period: Period
        public var maxTimes: Int

        public init(period: Period, maxTimes: Int) {
            self.period = period
            self.maxTimes = maxTimes
        }

        enum CodingKeys: String, CodingKey {
            case period
            case maxTimes = "max_times"
        }
    }

    /// When a rule applies; every condition given must hold. Dates and weekdays are read in the program's time zone.
    public struct Conditions: Codable, Sendable, Equatable {
        /// Only lines with one of these SKUs (empty: any).
        public var skus: [String]
        /// Only lines in one of these categories (empty: any).
        public var categories: [String]
        /// The order total must be at least this, in minor units.
        public var minOrderAmount: Int64?
        /// ISO weekdays, 1 = Monday … 7 = Sunday.
        public var weekdays: [Int]
        /// First day the rule applies, `YYYY-MM-DD`, inclusive.
        public var startsOn: String?
        /// Last day the rule applies, `YYYY-MM-DD`, inclusive.
        public var endsOn: String?

        public init(
            skus: [String] = [], categories: [String] = [], minOrderAmount: Int64? = nil, weekdays: [Int] = [],
            startsOn: String? = nil, endsOn: String? = nil
        ) {
            self.skus = skus
            self.categories = categories
            self.minOrderAmount = minOrderAmount
            self.weekdays = weekdays
            self.startsOn = startsOn
            self.endsOn = endsOn
        }

        enum CodingKeys: String, CodingKey {
            case skus, categories
            case minOrderAmount = "min_order_amount"
            case weekdays
            case startsOn = "starts_on"
            case endsOn = "ends_on"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            skus = try container.decodeIfPresent([String].self, forKey: .skus) ?? []
            categories = try container.decodeIfPresent([String].self, forKey: .categories) ?? []
            minOrderAmount = try container.decodeIfPresent(Int64.self, forKey: .minOrderAmount)
            weekdays = try container.decodeIfPresent([Int].self, forKey: .weekdays) ?? []
            startsOn = try container.decodeIfPresent(String.self, forKey: .startsOn)
            endsOn = try container.decodeIfPresent(String.self, forKey: .endsOn)
        }

        /// Whether a line matches the SKU and category filters.
        public func matches(_ line: OrderLine?) -> Bool {
            matches(sku: line?.sku, category: line?.category)
        }

        /// Whether a line with this SKU and category matches the filters (nil: the line has none, or there is no
        /// line).
        public func matches(sku: String?, category: String?) -> Bool {
            if !skus.isEmpty && !skus.contains(sku ?? "\u{0}") { return false }
            if !categories.isEmpty && !categories.contains(category ?? "\u{0}") { return false }
            return true
        }

        public var filtersLines: Bool { !skus.isEmpty || !categories.isEmpty }
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var active: Bool
    /// Lower runs first among rules of the same stage; ties by id.
    public var priority: Int
    public var conditions: Conditions
    public var points: Int64?
    public var perAmount: Int64?
    public var percent: Hundredths?
    public var factor: Hundredths?
    public var rounding: Rounding
    public var eventName: String?
    public var cap: Cap?
    public var requiredFields: [String]
    /// Overrides the program's expiry for points this rule awards (`expiry` is the general form).
    public var expiresAfterDays: Int?
    public var expiry: ExpiryPolicy?

    public init(
        id: String, name: String, kind: Kind, active: Bool = true, priority: Int = 100,
        conditions: Conditions = Conditions(), points: Int64? = nil, perAmount: Int64? = nil,
        percent: Hundredths? = nil,
        factor: Hundredths? = nil, rounding: Rounding = .floor, eventName: String? = nil, cap: Cap? = nil,
        requiredFields: [String] = [], expiresAfterDays: Int? = nil, expiry: ExpiryPolicy? = nil
    ) {
        self.expiry = expiry
        self.id = id
        self.name = name
        self.kind = kind
        self.active = active
        self.priority = priority
        self.conditions = conditions
        self.points = points
        self.perAmount = perAmount
        self.percent = percent
        self.factor = factor
        self.rounding = rounding
        self.eventName = eventName
        self.cap = cap
        self.requiredFields = requiredFields
        self.expiresAfterDays = expiresAfterDays
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, active, priority, conditions, points
        case perAmount = "per_amount"
        case percent, factor, rounding
        case eventName = "event_name"
        case cap
        case requiredFields = "required_fields"
        case expiresAfterDays = "expires_after_days"
        case expiry
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decode(Kind.self, forKey: .kind)
        active = try container.decodeIfPresent(Bool.self, forKey: .active) ?? true
        priority = try container.decodeIfPresent(Int.self, forKey: .priority) ?? 100
        conditions = try container.decodeIfPresent(Conditions.self, forKey: .conditions) ?? Conditions()
        points = try container.decodeIfPresent(Int64.self, forKey: .points)
        perAmount = try container.decodeIfPresent(Int64.self, forKey: .perAmount)
        percent = try container.decodeIfPresent(Hundredths.self, forKey: .percent)
        factor = try container.decodeIfPresent(Hundredths.self, forKey: .factor)
        rounding = try container.decodeIfPresent(Rounding.self, forKey: .rounding) ?? .floor
        eventName = try container.decodeIfPresent(String.self, forKey: .eventName)
        cap = try container.decodeIfPresent(Cap.self, forKey: .cap)
        requiredFields = try container.decodeIfPresent([String].self, forKey: .requiredFields) ?? []
        expiresAfterDays = try container.decodeIfPresent(Int.self, forKey: .expiresAfterDays)
        expiry = try container.decodeIfPresent(ExpiryPolicy.self, forKey: .expiry)
    }

    /// Every problem with the rule, each naming its field (prefixed with `prefix`, e.g. `rules[3].`).
    public func issues(prefix: String = "") -> [FieldIssue] {
        var validator = Validator()
        let maxPoints: Int64 = 1_000_000_000
        validator.check((1...120).contains(name.count), prefix + "name", "must be 1–120 characters")
        validator.check(id.isEmpty || (1...64).contains(id.count), prefix + "id", "must be 1–64 characters")
        validator.check((-1_000_000...1_000_000).contains(priority), prefix + "priority", "must be within ±1000000")
        func requirePoints() {
            if let points {
                validator.check((1...maxPoints).contains(points), prefix + "points", "must be 1–\(maxPoints)")
            } else {
                validator.add(prefix + "points", "is required for kind \(kind.rawValue)")
            }
        }
        switch kind {
        case .pointsPerAmount:
            requirePoints()
            if let perAmount {
                validator.check((1...1_000_000_000).contains(perAmount), prefix + "per_amount", "must be 1–1000000000")
            } else {
                validator.add(prefix + "per_amount", "is required: minor units that earn `points` (100 = 1.00)")
            }
        case .cashback:
            if let percent {
                validator.check(percent.value > 0 && percent.value <= 10_000, prefix + "percent", "must be 0.01–100")
            } else {
                validator.add(prefix + "percent", "is required for cashback")
            }
        case .multiplier:
            if let factor {
                validator.check(factor.value >= 100 && factor.value <= 10_000, prefix + "factor", "must be 1–100")
            } else {
                validator.add(prefix + "factor", "is required for a multiplier (2 = double points)")
            }
        case .orderBonus, .signupBonus:
            requirePoints()
        case .exclusion:
            validator.check(
                conditions.filtersLines, prefix + "conditions",
                "an exclusion needs skus or categories to exclude")
        case .profileCompleted:
            requirePoints()
            let fields = requiredFields.isEmpty ? Customer.profileFields : requiredFields
            for field in fields where !(Customer.profileFields + ["time_zone", "language"]).contains(field) {
                validator.add(prefix + "required_fields", "\(field) is not a profile field")
            }
        case .event:
            requirePoints()
            if let eventName {
                validator.check(
                    EventInput.isValidName(eventName), prefix + "event_name",
                    "use 1–64 characters from a–z, 0–9, '_', '.', '-'")
            } else {
                validator.add(prefix + "event_name", "is required for an event rule")
            }
            if let cap {
                validator.check(cap.maxTimes >= 1, prefix + "cap.max_times", "must be at least 1")
            }
        }
        for weekday in conditions.weekdays where !(1...7).contains(weekday) {
            validator.add(prefix + "conditions.weekdays", "\(weekday) is not an ISO weekday (1 = Monday … 7 = Sunday)")
        }
        if let minimum = conditions.minOrderAmount {
            validator.check(minimum >= 0, prefix + "conditions.min_order_amount", "must not be negative")
        }
        let start = conditions.startsOn.flatMap(CivilDate.init(iso:))
        let end = conditions.endsOn.flatMap(CivilDate.init(iso:))
        if conditions.startsOn != nil {
            validator.check(start != nil, prefix + "conditions.starts_on", "must be a date YYYY-MM-DD")
        }
        if conditions.endsOn != nil {
            validator.check(end != nil, prefix + "conditions.ends_on", "must be a date YYYY-MM-DD")
        }
        if let start, let end {
            validator.check(start <= end, prefix + "conditions.ends_on", "is before starts_on")
        }
        if let days = expiresAfterDays {
            validator.check((1...36500).contains(days), prefix + "expires_after_days", "must be 1–36500")
        }
        if let expiry {
            validator.check(
                expiresAfterDays == nil, prefix + "expiry", "give either expiry or expires_after_days, not both")
            for issue in expiry.issues(prefix: prefix + "expiry.", allowInactivity: false) {
                validator.add(issue.field, issue.reason)
            }
        }
        return validator.issues
    }

    public func validate() throws {
        let found = issues()
        if !found.isEmpty { throw DomainError.invalid(found) }
    }

    /// Whether the rule's date and weekday conditions hold on `day`.
    public func isInEffect(on day: CivilDate) -> Bool {
        guard active else { return false }
        if !conditions.weekdays.isEmpty && !conditions.weekdays.contains(day.isoWeekday) { return false }
        if let start = conditions.startsOn.flatMap(CivilDate.init(iso:)), day < start { return false }
        if let end = conditions.endsOn.flatMap(CivilDate.init(iso:)), day > end { return false }
        return true
    }
}

/// A decimal with two places, written in JSON as a plain number (`2`, `1.5`, `12.25`) and held as an integer
/// number of hundredths so rule arithmetic stays exact.
public struct Hundredths: Codable, Sendable, Equatable, Hashable {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let decimal = try decoder.singleValueContainer().decode(Decimal.self)
        var scaled = decimal * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled, let integer = Int64(exactly: NSDecimalNumber(decimal: rounded).int64Value),
            abs(integer) < 1_000_000_000_000
        else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "use a number with at most 2 decimal places"))
        }
        value = integer
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Decimal(value) / 100)
    }
}
