import Foundation
import Testing

@testable import RetainAnalytics

/// Metrics, cohorts and RFM on the real logs against an independent pandas computation under the same stated
/// definitions (`scripts/reference/retention_reference.py` wrote the fixture; it uses ../shared/bench's
/// retention_impl.py, not Retain).
@Suite("Retention metrics against the pandas reference", .enabled(if: SharedData.available, SharedData.skipMessage))
struct RetentionReferenceTests {
    struct Reference: Decodable {
        struct DataSet: Decodable {
            var summary: [String: Summary]
            var cohortLabels: [String]
            var cohortCounts: [[Int?]]
            var rfmNtileDigest: String
            var rfmCumeDigest: String
            var recencyNtileCounts: [Int]
            var frequencyNtileCounts: [Int]
            var monetaryNtileCounts: [Int]
            var recencyCumeCounts: [Int]
            var frequencyCumeCounts: [Int]
            var monetaryCumeCounts: [Int]

            enum CodingKeys: String, CodingKey {
                case summary, cohortLabels = "cohort_labels", cohortCounts = "cohort_counts"
                case rfmNtileDigest = "rfm_ntile_digest", rfmCumeDigest = "rfm_cume_digest"
                case recencyNtileCounts = "R_ntile_counts", frequencyNtileCounts = "F_ntile_counts"
                case monetaryNtileCounts = "M_ntile_counts"
                case recencyCumeCounts = "R_cume_counts", frequencyCumeCounts = "F_cume_counts"
                case monetaryCumeCounts = "M_cume_counts"
            }
        }

        enum Summary: Decodable {
            case number(Double)
            case text(String)

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let value = try? container.decode(Double.self) {
                    self = .number(value)
                } else {
                    self = .text(try container.decode(String.self))
                }
            }

            var number: Double? { if case .number(let value) = self { value } else { nil } }
        }

        var cdnowMaster: DataSet
        var onlineRetail: DataSet

        enum CodingKeys: String, CodingKey {
            case cdnowMaster = "cdnow_master", onlineRetail = "online_retail"
        }
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/retention_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    static func log(_ file: String, _ preset: TransactionLogLayout.Preset) throws -> TransactionLog {
        try TransactionLog.read(
            SharedData.gunzipped(file), reader: TransactionLogReader(layout: .preset(preset)))
    }

    @Test("CDNOW master log")
    func cdnow() throws {
        try compare(Self.log("cdnow_master_1997-1998.csv.gz", .cdnow), Self.reference().cdnowMaster)
    }

    @Test("Online Retail")
    func onlineRetail() throws {
        try compare(
            Self.log("online_retail_uci352_2010-12_2011-12.csv.gz", .onlineRetail), Self.reference().onlineRetail)
    }

    func compare(_ log: TransactionLog, _ reference: Reference.DataSet) throws {
        let stats = CustomerStats(log)
        let summary = LogSummary(log: log, stats: stats, yearlyRetention: nil, lifetimeYears: nil)
        let expected = reference.summary
        #expect(Double(summary.customers) == expected["customers"]?.number)
        #expect(Double(summary.transactions) == expected["transactions"]?.number)
        #expect(Double(summary.customerPurchaseDays) == expected["customer_purchase_days"]?.number)
        #expect(Double(summary.repeatCustomers) == expected["repeat_customers"]?.number)
        #expect(Double(summary.oneTimeBuyers) == expected["one_time_buyers"]?.number)
        #expect(Double(summary.top20Customers) == expected["top20pct_customers_n"]?.number)
        #expect(Double(summary.zeroValueTransactions ?? -1) == expected["zero_value_transactions"]?.number)
        // Money: the reference rounds each transaction to cents, Retain keeps four decimals; agree to a cent per
        // thousand transactions.
        let revenue = try #require(summary.revenue)
        #expect(abs(revenue - expected["total_revenue"]!.number!) < Double(summary.transactions) / 100_000 + 0.005)
        #expect(abs(summary.repeatPurchaseRate - expected["repeat_purchase_rate"]!.number!) < 1e-12)
        #expect(abs(summary.purchaseFrequency - expected["purchase_frequency"]!.number!) < 1e-12)
        #expect(abs(summary.top20RevenueShare! - expected["top20pct_revenue_share"]!.number!) < 1e-6)
        #expect(summary.firstDate == { if case .text(let t) = expected["first_date"] { t } else { "" } }())
        #expect(summary.endDate == { if case .text(let t) = expected["end_date"] { t } else { "" } }())

        let cohorts = CohortTable(log: log, stats: stats, unit: .month)
        #expect(cohorts.cohorts.map(\.label) == reference.cohortLabels)
        for (row, cohort) in cohorts.cohorts.enumerated() {
            #expect(cohort.returnedIn == reference.cohortCounts[row], "cohort \(cohort.label)")
        }

        for (rule, digest, counts) in [
            (
                RFMScores.TieRule.ntile, reference.rfmNtileDigest,
                [reference.recencyNtileCounts, reference.frequencyNtileCounts, reference.monetaryNtileCounts]
            ),
            (
                .shared, reference.rfmCumeDigest,
                [reference.recencyCumeCounts, reference.frequencyCumeCounts, reference.monetaryCumeCounts]
            ),
        ] {
            let rfm = RFMScores(stats: stats, endDay: log.lastDay, tieRule: rule, hasMoney: true)
            for (scores, expectedCounts) in zip([rfm.recency, rfm.frequency, rfm.monetary], counts) {
                #expect((1...5).map { score in scores.filter { $0 == score }.count } == expectedCounts, "\(rule)")
            }
            var lines: [String] = []
            for customer in 0..<stats.count {
                // The reference rounds each transaction to cents (half to even), then sums.
                var cents: Int64 = 0
                for index in log.offsets[customer]..<log.offsets[customer + 1] {
                    let (quotient, remainder) = log.amount[index].quotientAndRemainder(dividingBy: 100)
                    cents += quotient + (remainder > 50 || (remainder == 50 && quotient % 2 == 1) ? 1 : 0)
                }
                lines.append(
                    "\(log.customerID(customer)),\(rfm.recencyDays[customer]),\(stats.transactions[customer]),\(cents),"
                        + "\(rfm.recency[customer]),\(rfm.frequency[customer]),\(rfm.monetary[customer])")
            }
            #expect(Self.fnv64(lines) == digest, "RFM \(rule): first rows \(lines.prefix(3))")
        }
    }

    /// FNV-1a 64 over each line and a newline, as the reference script computes it.
    static func fnv64(_ lines: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for line in lines {
            for byte in line.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 10
            hash = hash &* 0x100_0000_01b3
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
