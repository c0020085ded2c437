import Foundation
import RetainAnalytics
import RetainCore

/// The answers of `/v1/analytics/…`: every one starts with how fresh it is (program, when computed, how long it
/// took, what the orders gave), then its own part of the analysis. Keys are snake_case like `retain analyze --json`
/// (docs/analytics.md).
public struct AnalyticsResponse<Body: Encodable & Sendable>: Encodable, Sendable {
    public var programId: String
    public var computedAt: Date
    public var computeSeconds: Double
    public var purchases: PurchaseLogCounts
    public var body: Body

    public init(_ snapshot: AnalyticsSnapshot, _ body: Body) {
        programId = snapshot.programID
        computedAt = snapshot.computedAt
        computeSeconds = snapshot.computeSeconds
        purchases = snapshot.purchases
        self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case programId, computedAt, computeSeconds, purchases
    }

    /// The header's keys and the body's keys in one object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(programId, forKey: .programId)
        try container.encode(computedAt, forKey: .computedAt)
        try container.encode(computeSeconds, forKey: .computeSeconds)
        try container.encode(purchases, forKey: .purchases)
        try body.encode(to: encoder)
    }

    /// JSON in the API's dialect (RFC 3339 times, sorted keys) with the analytics' snake_case keys; a rate that
    /// cannot be computed is null, never NaN.
    public func json() throws -> Data {
        let encoder = APIJSON.makeEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }
}

/// `GET /v1/analytics/summary`: the whole-log metrics, the period grid, stages and the fitted models.
public struct AnalyticsSummary: Encodable, Sendable {
    public var options: AnalysisOptions
    public var summary: LogSummary?
    public var periods: PeriodMetrics?
    public var stages: [AnalysisReport.StageCount]
    public var models: ModelsReport?
    public var notes: [String]

    public init(_ snapshot: AnalyticsSnapshot, options: AnalysisOptions) {
        let report = snapshot.report
        self.options = report?.options ?? options
        summary = report?.summary
        periods = report?.periods
        stages = report?.stages ?? []
        models = report?.models
        notes = report?.notes ?? [AnalyticsSnapshot.noPurchasesNote]
    }

    enum CodingKeys: String, CodingKey { case options, summary, periods, stages, models, notes }

    /// Parts that cannot be computed are null, not left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(options, forKey: .options)
        try container.encode(summary, forKey: .summary)
        try container.encode(periods, forKey: .periods)
        try container.encode(stages, forKey: .stages)
        try container.encode(models, forKey: .models)
        try container.encode(notes, forKey: .notes)
    }
}

/// `GET /v1/analytics/cohorts`.
public struct AnalyticsCohorts: Encodable, Sendable {
    public var cohorts: CohortTable?
    public var notes: [String]

    public init(_ snapshot: AnalyticsSnapshot) {
        cohorts = snapshot.report?.cohorts
        notes = snapshot.report == nil ? [AnalyticsSnapshot.noPurchasesNote] : []
    }

    enum CodingKeys: String, CodingKey { case cohorts, notes }

    /// `cohorts` is null, not left out, without purchases.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cohorts, forKey: .cohorts)
        try container.encode(notes, forKey: .notes)
    }
}

/// `GET /v1/analytics/rfm`.
public struct AnalyticsRFM: Encodable, Sendable {
    public var rfm: RFMReport?
    public var notes: [String]

    public init(_ snapshot: AnalyticsSnapshot) {
        rfm = snapshot.report?.rfm
        notes = snapshot.report == nil ? [AnalyticsSnapshot.noPurchasesNote] : []
    }

    enum CodingKeys: String, CodingKey { case rfm, notes }

    /// `rfm` is null, not left out, without purchases.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rfm, forKey: .rfm)
        try container.encode(notes, forKey: .notes)
    }
}

/// `GET /v1/analytics/at-risk`: the first `limit` customers of the list, ranked by value at risk.
public struct AnalyticsAtRisk: Encodable, Sendable {
    public var total: Int
    public var customers: [AtRiskCustomer]
    public var notes: [String]

    public init(_ snapshot: AnalyticsSnapshot, limit: Int) {
        let list = snapshot.report?.atRisk ?? []
        total = list.count
        customers = Array(list.prefix(limit))
        notes = snapshot.report == nil ? [AnalyticsSnapshot.noPurchasesNote] : []
    }
}

/// `GET /v1/analytics/customers/{id}`: `customer` is null when the customer had no purchase when it was computed.
public struct AnalyticsCustomer: Encodable, Sendable {
    public var customerId: String
    public var customer: CustomerAnalytics?
    public var notes: [String]

    public init(_ snapshot: AnalyticsSnapshot, customerID: String) {
        customerId = customerID
        customer = snapshot.customer(customerID)
        notes =
            customer == nil
            ? ["No purchase of this customer was in the data when the analytics were computed (computed_at)."] : []
    }

    enum CodingKeys: String, CodingKey { case customerId, customer, notes }

    /// `customer` is written as null, not left out, so a client can tell "no purchases" from a missing field.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(customerId, forKey: .customerId)
        try container.encode(customer, forKey: .customer)
        try container.encode(notes, forKey: .notes)
    }
}

extension AnalyticsSnapshot {
    static let noPurchasesNote = "The program has no purchases yet: nothing to analyse."
}
