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

/// `GET /v1/analytics/cohorts` and `/rfm`: one part of the report under its key, null (not left out) without
/// purchases, and the notes.
public struct AnalyticsPart<Value: Encodable & Sendable>: Encodable, Sendable {
    public var key: String
    public var value: Value?
    public var notes: [String]

    public init(_ key: String, _ value: Value?) {
        self.key = key
        self.value = value
        notes = value == nil ? [AnalyticsSnapshot.noPurchasesNote] : []
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(value, forKey: Key(stringValue: key))
        try container.encode(notes, forKey: Key(stringValue: "notes"))
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
    /// `GET /v1/analytics/cohorts`.
    public var cohortsPart: AnalyticsPart<CohortTable> { AnalyticsPart("cohorts", report?.cohorts) }
    /// `GET /v1/analytics/rfm`.
    public var rfmPart: AnalyticsPart<RFMReport> { AnalyticsPart("rfm", report?.rfm) }

    static let noPurchasesNote = "The program has no purchases yet: nothing to analyse."
}
