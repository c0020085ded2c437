/// Everything `retain analyze` can be asked, with the defaults a shop owner gets without asking.
public struct AnalysisOptions: Sendable, Codable, Equatable {
    /// The time unit of the models (and of frequency/recency/T in their output).
    public enum TimeUnit: String, Sendable, Codable, CaseIterable {
        case week, day

        public var days: Double { self == .week ? 7 : 1 }
        public var perYear: Double { 365.25 / days }
    }

    /// The grid of the period metrics and cohorts.
    public var period: PeriodUnit = .month
    /// "Active at t" = bought within this many days before t.
    public var activityWindowDays = 90
    public var rfmTies: RFMScores.TieRule = .ntile
    public var timeUnit: TimeUnit = .week
    /// Prediction horizon in time units; nil = one year (52 weeks or 365 days).
    public var horizon: Double?
    /// Yearly discount rate of the predicted CLV.
    public var discountRate = 0.10
    /// Share of revenue that is profit; nil = CLV in revenue.
    public var margin: Double?
    /// Fit on purchases up to this day (inclusive) and compare with the rest of the log.
    public var calibrationEnd: Int?
    /// Expected lifetime of the simple CLV; nil = 1 ÷ yearly churn when measurable.
    public var lifetimeYears: Double?
    /// The at-risk list: repeat customers with P(alive) in [atRiskAbove, atRiskBelow).
    public var atRiskBelow = 0.5
    public var atRiskAbove = 0.05
    public var atRiskLimit = 100
    /// Fit the purchase and spend models.
    public var models = true

    public init() {}

    public var horizonUnits: Double { horizon ?? (timeUnit == .week ? 52 : 365) }
}
