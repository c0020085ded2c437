import Foundation
import Testing

@testable import RetainAnalytics

/// Logs at the edges — one customer, one day, nobody buying twice, no money — give sensible reports: counts,
/// the reason a model was not fitted, and no crash, NaN or infinity in the JSON.
@Suite("Analyses of unusual logs")
struct AnalysisEdgeCaseTests {
    static func analyse(_ customers: [String], _ days: [Int], _ amounts: [Double]?) throws -> (AnalysisReport, Data) {
        let log = TransactionLog(customers: customers, days: days, amounts: amounts)
        let (report, _) = Analysis.run(log, options: AnalysisOptions())
        let json = try report.json()
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains("NaN") && !text.contains("Infinity"))
        return (report, json)
    }

    @Test("one customer")
    func oneCustomer() throws {
        let (report, _) = try Self.analyse(["7", "7", "7"], [19_000, 19_010, 19_030], [5, 6, 7])
        #expect(report.summary.customers == 1 && report.summary.repeatCustomers == 1)
        #expect(report.models?.bgnbd == nil && report.models?.bgnbdError?.contains("at least 20") == true)
        #expect(report.rfm.segments.map(\.customers).reduce(0, +) == 1)
    }

    @Test("a single day")
    func singleDay() throws {
        let (report, _) = try Self.analyse(["1", "2", "3"], [19_000, 19_000, 19_000], [1, 2, 3])
        #expect(report.periods.periods.count == 1 && report.periods.periods[0].retentionRate == nil)
        #expect(report.cohorts.cohorts.map(\.size) == [3])
        #expect(report.summary.interPurchaseDays.gaps == 0 && report.summary.interPurchaseDays.median == nil)
    }

    @Test("nobody buys twice: the purchase model says why, the rest is computed")
    func noRepeatBuyers() throws {
        let customers = (0..<60).map(String.init)
        let days = (0..<60).map { 19_000 + $0 * 3 }
        let (report, _) = try Self.analyse(customers, days, days.map { _ in 10 })
        #expect(report.summary.repeatPurchaseRate == 0)
        #expect(report.models?.bgnbdError?.contains("bought again") == true)
        #expect(report.models?.gammaGamma == nil && report.models?.gammaGammaError != nil)
        #expect(report.atRisk.isEmpty)
    }

    @Test("no money: counts and the purchase model, no revenue, no spend model")
    func noMoney() throws {
        var customers: [String] = []
        var days: [Int] = []
        var random = SplitMix64(seed: 3)
        for customer in 0..<400 {
            let first = 19_000 + random.nextInt() % 200
            customers.append(String(customer))
            days.append(first)
            // Heterogeneous buyers (a few frequent, most occasional), as the model expects.
            for _ in 0..<(customer % 7 == 0 ? 6 + random.nextInt() % 12 : random.nextInt() % 2) {
                customers.append(String(customer))
                days.append(first + 1 + random.nextInt() % 300)
            }
        }
        let (report, _) = try Self.analyse(customers, days, nil)
        #expect(report.summary.revenue == nil && report.summary.simpleCLV == nil)
        #expect(report.models?.bgnbd != nil, "\(report.models?.bgnbdError ?? "")")
        #expect(report.models?.gammaGamma == nil)
        #expect(report.models?.predictedCLV == nil)
        #expect(report.notes.contains { $0.contains("no money") })
    }
}
