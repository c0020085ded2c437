/// Runs every analysis over a cleaned log: summary, period metrics, cohorts, RFM and stages, then the models,
/// the per-customer predictions, the holdout check and the at-risk list.
public enum Analysis {
    /// - Parameters:
    ///   - file: the log's name, for the report.
    ///   - phase: called with the name of each phase as it starts (for a progress line).
    public static func run(
        _ log: TransactionLog, options: AnalysisOptions, file: String? = nil, phase: (String) -> Void = { _ in }
    ) -> (AnalysisReport, CustomerTable) {
        phase("customer totals")
        let stats = CustomerStats(log)
        phase("summary and periods")
        let summary = LogSummary(
            log: log, stats: stats, yearlyRetention: PeriodMetrics.yearlyRetention(log: log),
            lifetimeYears: options.lifetimeYears)
        let periods = PeriodMetrics(
            log: log, unit: options.period, activityWindowDays: options.activityWindowDays)
        phase("cohorts")
        let cohorts = CohortTable(log: log, stats: stats, unit: options.period)
        phase("RFM")
        let endDay = log.lastDay
        let rfm = RFMScores(stats: stats, endDay: endDay, tieRule: options.rfmTies, hasMoney: log.hasMoney)
        var notes: [String] = []
        if !log.hasMoney {
            notes.append(
                "The log has no money: revenue, average order value, CLV, monetary scores and the spend model are left out."
            )
        }
        var table = CustomerTable()
        table.ids = (0..<log.customerCount).map(log.customerID)
        table.recencyScore = rfm.recency
        table.frequencyScore = rfm.frequency
        table.monetaryScore = rfm.monetary
        table.segment = rfm.segment
        table.stage = stats.transactions.map { $0 >= 2 ? .repeatPurchase : .firstPurchase }

        var models: ModelsReport?
        var calibration: HoldoutComparison?
        var atRisk: [AtRiskCustomer] = []
        if options.models && log.customerCount > 0 {
            let outcome = ModelRun(
                log: log, stats: stats, rfm: rfm, options: options, table: &table, phase: phase)
            models = outcome.report
            calibration = outcome.calibration
            atRisk = outcome.atRisk
            notes += outcome.notes
        }
        let report = AnalysisReport(
            source: .init(file: file, layout: log.layout, dateFormat: log.datePattern, hasMoney: log.hasMoney),
            options: options, dataQuality: log.quality, summary: summary, periods: periods, cohorts: cohorts,
            rfm: rfmReport(rfm, stats: stats, endDay: endDay, hasMoney: log.hasMoney),
            stages: [
                .init(stage: .firstPurchase, customers: summary.oneTimeBuyers),
                .init(stage: .repeatPurchase, customers: summary.repeatCustomers),
            ],
            models: models, calibration: calibration, atRisk: atRisk, notes: notes)
        return (report, table)
    }

    static func rfmReport(_ rfm: RFMScores, stats: CustomerStats, endDay: Int, hasMoney: Bool) -> RFMReport {
        let count = stats.count
        var grid = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 5)
        var recency = [Int](repeating: 0, count: 5)
        var frequency = [Int](repeating: 0, count: 5)
        var monetary = [Int](repeating: 0, count: 5)
        var bySegment: [RFMSegment: (customers: Int, revenue: Int64)] = [:]
        var total: Int64 = 0
        for customer in 0..<count {
            let r = Int(rfm.recency[customer])
            let f = Int(rfm.frequency[customer])
            grid[r - 1][f - 1] += 1
            recency[r - 1] += 1
            frequency[f - 1] += 1
            if hasMoney { monetary[Int(rfm.monetary[customer]) - 1] += 1 }
            let segment = rfm.segment[customer]
            bySegment[segment, default: (0, 0)].customers += 1
            bySegment[segment, default: (0, 0)].revenue &+= stats.revenue[customer]
            total &+= stats.revenue[customer]
        }
        let segments = RFMSegment.allCases.map { segment in
            let entry = bySegment[segment] ?? (0, 0)
            return RFMReport.SegmentSummary(
                segment: segment, customers: entry.customers,
                share: count == 0 ? 0 : Double(entry.customers) / Double(count),
                revenue: hasMoney ? TransactionLog.units(entry.revenue) : nil,
                revenueShare: hasMoney && total != 0 ? Double(entry.revenue) / Double(total) : nil,
                advice: segment.advice)
        }
        return RFMReport(
            tieRule: rfm.tieRule, asOf: CivilDay.text(endDay), segments: segments, grid: grid,
            recencyScores: recency, frequencyScores: frequency, monetaryScores: monetary)
    }
}
