/// Everything `retain analyze` found, as one document (`--json` writes it with snake_case keys; docs/analytics.md
/// lists them). Per-customer rows are in `CustomerTable`, not here.
public struct AnalysisReport: Sendable, Codable {
    public var source: Source
    public var options: AnalysisOptions
    public var dataQuality: DataQuality
    public var summary: LogSummary
    public var periods: PeriodMetrics
    public var cohorts: CohortTable
    public var rfm: RFMReport
    public var stages: [StageCount]
    public var models: ModelsReport?
    public var calibration: HoldoutComparison?
    public var atRisk: [AtRiskCustomer]
    /// Things the reader should know (what was left out and why).
    public var notes: [String]

    public struct Source: Sendable, Codable {
        public var file: String?
        public var layout: TransactionLogLayout
        public var dateFormat: String
        public var hasMoney: Bool
    }

    public struct StageCount: Sendable, Codable {
        public var stage: LoyaltyStage
        public var customers: Int
    }
}

/// RFM in aggregate: segment sizes and revenue, the recency × frequency grid, and how each score is spread.
public struct RFMReport: Sendable, Codable {
    public var tieRule: RFMScores.TieRule
    public var asOf: String
    public var segments: [SegmentSummary]
    /// Customers per cell: `grid[r − 1][f − 1]`.
    public var grid: [[Int]]
    public var recencyScores: [Int]
    public var frequencyScores: [Int]
    public var monetaryScores: [Int]

    public struct SegmentSummary: Sendable, Codable {
        public var segment: RFMSegment
        public var customers: Int
        public var share: Double
        public var revenue: Double?
        public var revenueShare: Double?
        public var advice: String
    }
}

/// The fitted models and their totals.
public struct ModelsReport: Sendable, Codable {
    public var timeUnit: AnalysisOptions.TimeUnit
    public var horizon: Double
    public var discountRate: Double
    public var margin: Double?
    public var customers: Int
    public var bgnbd: BGNBDModel?
    /// Why the purchase model could not be fitted.
    public var bgnbdError: String?
    public var gammaGamma: GammaGammaModel?
    public var gammaGammaError: String?
    public var expectedPurchases: Double?
    public var predictedRevenue: Double?
    public var predictedCLV: Double?
    public var meanProbabilityAlive: Double?
}

/// Calibration/holdout check, as in the BG/NBD paper: fit up to the calibration end, then compare the model's
/// expected repeat purchases in the holdout with what the customers did.
public struct HoldoutComparison: Sendable, Codable {
    public var calibrationEnd: String
    public var holdoutEnd: String
    /// Length of the holdout in the time unit.
    public var holdoutLength: Double
    public var customers: Int
    public var actualRepeatPurchases: Int
    public var predictedRepeatPurchases: Double
    public var byFrequency: [FrequencyRow]
    /// Cumulative repeat purchases of the calibration customers, time unit by time unit (weeks or days).
    public var tracking: [TrackingPoint]

    public struct FrequencyRow: Sendable, Codable {
        /// "0" … "6", "7+"
        public var frequency: String
        public var customers: Int
        public var actualMean: Double
        public var predictedMean: Double
    }

    public struct TrackingPoint: Sendable, Codable {
        public var date: String
        public var actual: Int
        public var expected: Double
    }
}

/// A customer the models think is slipping away but would be worth keeping.
public struct AtRiskCustomer: Sendable, Codable {
    public var customerId: String
    public var probabilityAlive: Double
    public var purchases: Int
    public var daysSinceLastPurchase: Int
    public var typicalGapDays: Double?
    /// Expected purchases (and money, when known) over the horizon if the customer is still active.
    public var purchasesIfRetained: Double
    public var valueIfRetained: Double?
    /// Value if retained × (1 − P(alive)): what is at stake; the list is ranked by it.
    public var valueAtRisk: Double
    public var segment: RFMSegment
    public var reason: String
}

/// One row per customer (`--customers-out`), in columns.
public struct CustomerTable: Sendable {
    public var ids: [String] = []
    public var frequency: [Double] = []
    public var recency: [Double] = []
    public var age: [Double] = []
    public var monetary: [Double] = []
    public var probabilityAlive: [Double?] = []
    public var expectedPurchases: [Double?] = []
    public var expectedSpend: [Double?] = []
    public var clv: [Double?] = []
    public var recencyScore: [UInt8] = []
    public var frequencyScore: [UInt8] = []
    public var monetaryScore: [UInt8] = []
    public var segment: [RFMSegment] = []
    public var stage: [LoyaltyStage] = []
}
