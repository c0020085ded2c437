import Foundation
import RetainAnalytics
import RetainCore

/// The analytics of each program's live data, computed from the store and kept: requests read the last result,
/// and `refresh` (from the scheduler, or on demand) recomputes it — when the orders changed, or when forced.
/// Concurrent refreshes of one program share one computation.
public actor LiveAnalytics {
    private let service: LoyaltyService
    /// What every computation computes.
    public nonisolated let options: AnalysisOptions
    private var snapshots: [String: AnalyticsSnapshot] = [:]
    private var running: [String: Task<AnalyticsSnapshot, any Error>] = [:]

    /// - Parameters:
    ///   - options: what to compute (the defaults of `retain analyze`, with a longer at-risk list).
    public init(service: LoyaltyService, options: AnalysisOptions = LiveAnalytics.defaultOptions) {
        self.service = service
        self.options = options
    }

    /// `retain analyze`'s defaults, with up to 1,000 customers kept on the at-risk list.
    public static var defaultOptions: AnalysisOptions {
        var options = AnalysisOptions()
        options.atRiskLimit = 1_000
        return options
    }

    /// The last result for the program; computed now if there is none yet.
    public func snapshot(program: String) async throws -> AnalyticsSnapshot {
        if let snapshot = snapshots[program] { return snapshot }
        return try await refresh(program: program, force: true)
    }

    /// The result kept for the program, if any, without computing.
    public func cached(program: String) -> AnalyticsSnapshot? { snapshots[program] }

    /// Recomputes the program's analytics if its orders or returns changed since the last result (or always, with
    /// `force`), and keeps the result.
    @discardableResult
    public func refresh(program: String, force: Bool = false) async throws -> AnalyticsSnapshot {
        if let task = running[program] { return try await task.value }
        let previous = snapshots[program]
        let service = self.service
        let options = self.options
        let task = Task<AnalyticsSnapshot, any Error> {
            let fingerprint = try await service.store.read(program: program) { try await $0.purchaseFingerprint() }
            if !force, let previous, previous.fingerprint == fingerprint { return previous }
            return try await Self.compute(
                program: program, fingerprint: fingerprint, service: service, options: options)
        }
        running[program] = task
        defer { running[program] = nil }
        let snapshot = try await task.value
        snapshots[program] = snapshot
        return snapshot
    }

    private static func compute(
        program: String, fingerprint: String, service: LoyaltyService, options: AnalysisOptions
    ) async throws -> AnalyticsSnapshot {
        let started = Date()
        let computedAt = service.environment.clock.now()
        let (log, counts) = try await service.purchaseLog(program: program)
        let result = log.map { Analysis.run($0, options: options, file: nil) }
        return AnalyticsSnapshot(
            programID: program, computedAt: computedAt, computeSeconds: Date().timeIntervalSince(started),
            fingerprint: fingerprint, purchases: counts, report: result?.0, table: result?.1)
    }
}

/// One computation of a program's analytics: the report, the per-customer table, and how fresh they are.
public struct AnalyticsSnapshot: Sendable {
    public let programID: String
    /// When the orders were read.
    public let computedAt: Date
    public let computeSeconds: Double
    let fingerprint: String
    public let purchases: PurchaseLogCounts
    /// Nil while the program has no purchases.
    public let report: AnalysisReport?
    let table: CustomerTable?
    private let rowOfCustomer: [String: Int]
    private let atRisk: [String: AtRiskCustomer]

    init(
        programID: String, computedAt: Date, computeSeconds: Double, fingerprint: String, purchases: PurchaseLogCounts,
        report: AnalysisReport?, table: CustomerTable?
    ) {
        self.programID = programID
        self.computedAt = computedAt
        self.computeSeconds = computeSeconds
        self.fingerprint = fingerprint
        self.purchases = purchases
        self.report = report
        self.table = table
        var rows: [String: Int] = [:]
        rows.reserveCapacity(table?.ids.count ?? 0)
        for (row, id) in (table?.ids ?? []).enumerated() { rows[id] = row }
        rowOfCustomer = rows
        atRisk = Dictionary((report?.atRisk ?? []).map { ($0.customerId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The customer's scores and predictions; nil when the customer had no purchase in this computation.
    public func customer(_ id: String) -> CustomerAnalytics? {
        guard let table, let row = rowOfCustomer[id] else { return nil }
        return CustomerAnalytics(
            customerId: id, transactions: Int(table.frequency[row]) + 1, frequency: table.frequency[row],
            recency: table.recency[row], age: table.age[row],
            monetary: report?.source.hasMoney == true
                ? table.monetary[row] : nil,
            pAlive: table.probabilityAlive[row], expectedPurchases: table.expectedPurchases[row],
            expectedSpend: table.expectedSpend[row], clv: table.clv[row], rScore: Int(table.recencyScore[row]),
            fScore: Int(table.frequencyScore[row]),
            mScore: report?.source.hasMoney == true ? Int(table.monetaryScore[row]) : nil,
            segment: table.segment[row], stage: table.stage[row], atRisk: atRisk[id])
    }
}

/// One customer in the live analytics (`GET /v1/analytics/customers/{id}`); the names are those of
/// `retain analyze --customers-out`, with `age` for the model's T.
public struct CustomerAnalytics: Sendable, Codable {
    public var customerId: String
    /// Purchases (transactions) analysed.
    public var transactions: Int
    /// Repeat purchases x, recency t_x and age T, in the time unit.
    public var frequency: Double
    public var recency: Double
    public var age: Double
    /// Mean money of the repeat purchases.
    public var monetary: Double?
    public var pAlive: Double?
    public var expectedPurchases: Double?
    public var expectedSpend: Double?
    public var clv: Double?
    public var rScore: Int
    public var fScore: Int
    public var mScore: Int?
    public var segment: RFMSegment
    public var stage: LoyaltyStage
    /// The customer's row on the at-risk list, when they are on it.
    public var atRisk: AtRiskCustomer?
}
