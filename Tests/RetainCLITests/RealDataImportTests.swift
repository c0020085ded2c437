import Foundation
import Testing

/// The real Online Retail file through `retain import`, against the counts of the independent script
/// `Benchmarks/reference/online_retail_counts.py` (rows, duplicates, rows without customer, zero prices, orders,
/// customers).
@Suite("retain import on the real Online Retail file")
struct RealDataImportTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data/online_retail_uci352_2010-12_2011-12.csv.gz")

    static var available: Bool { FileManager.default.fileExists(atPath: file.path) }

    @Test(
        "the counts a careful analyst gets, and a second run changes nothing",
        .enabled(if: available, "../shared/data is absent: the real-data import test is skipped"))
    func onlineRetail() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            #expect(
                try CLIRunner.run([
                    "programs", "create", "retail", "--currency", "GBP", "--time-zone", "Europe/London",
                    "--database", database,
                ]).status == 0)
            let arguments = [
                "import", "orders", Self.file.path, "--preset", "online-retail", "--program", "retail",
                "--database", database, "--json", "--synchronous", "normal",
            ]
            let first = try CLIRunner.run(arguments)
            #expect(first.status == 0, "\(first.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
            let skipped = try #require(report["skipped"] as? [String: [String: Any]])
            #expect(report["rows_read"] as? Int == 541_909)
            #expect(skipped["duplicate"]?["rows"] as? Int == 5_268)
            #expect(skipped["no_customer"]?["rows"] as? Int == 135_037)
            #expect(skipped["zero_price"]?["rows"] as? Int == 44)
            #expect(skipped["malformed"] == nil)
            #expect(report["orders_recorded"] as? Int == 18_532)
            #expect(report["customers_created"] as? Int == 4_338)
            // 8,872 cancellation rows with a customer: each is matched to an earlier order or reported.
            let unmatched = skipped["cancellation_without_original"]?["rows"] as? Int ?? 0
            #expect(unmatched > 0 && unmatched < 8_872)
            let returns = try #require(report["returns_recorded"] as? Int)

            let second = try CLIRunner.run(arguments)
            let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
            #expect(again["orders_recorded"] as? Int == 0)
            #expect(again["orders_already_imported"] as? Int == 18_532)
            #expect(again["returns_recorded"] as? Int == 0)
            #expect(again["returns_already_imported"] as? Int == returns)
            #expect(again["customers_created"] as? Int == 0)
        }
    }
}
