import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `retain analyze` run as a user runs it: tables, JSON, the customers CSV and the HTML report, and clear errors.
@Suite("retain analyze")
struct AnalyzeCommandTests {
    static func withFolder<T>(_ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "retain-analyze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    /// A small café log: 4 customers over three months, one without amounts, a few bad rows.
    static let cafe = """
        client;visit;total
        anna;2024-01-03;12,50
        anna;2024-01-20;8,00
        anna;2024-02-11;9,50
        anna;2024-03-02;11,00
        bob;2024-01-05;30,00
        bob;2024-03-28;25,00
        cleo;2024-02-14;4,20
        dan;2024-03-30;15,00
        eve;not a date;3,00

        """

    @Test("a guessed layout is stated; every section is printed; the JSON has the documented keys")
    func tablesAndJSON() throws {
        try Self.withFolder { folder in
            let log = folder.appendingPathComponent("cafe.csv")
            try Data(Self.cafe.utf8).write(to: log)
            let text = try CLIRunner.run(["analyze", log.path, "--quiet"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("guessed from the header: customer = client, date = visit, amount = total"))
            for section in ["DATA QUALITY", "SUMMARY", "BY MONTH", "COHORTS", "RFM SEGMENTS", "MODELS"] {
                #expect(text.stdout.contains(section), "missing \(section)")
            }
            #expect(text.stdout.contains("unreadable: line 10, column 2"))
            let json = try CLIRunner.run(["analyze", log.path, "--quiet", "--json"])
            #expect(json.status == 0)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let summary = try #require(document["summary"] as? [String: Any])
            #expect(summary["customers"] as? Int == 4)
            #expect(summary["transactions"] as? Int == 8)
            #expect(abs((summary["revenue"] as? Double ?? 0) - 115.2) < 1e-9)
            let quality = try #require(document["data_quality"] as? [String: Any])
            #expect(quality["unreadable_rows"] as? Int == 1)
            let models = try #require(document["models"] as? [String: Any])
            // Four customers cannot support a purchase model: said in words, not a crash.
            #expect(models["bgnbd"] == nil && (models["bgnbd_error"] as? String)?.isEmpty == false)
            #expect(document["cohorts"] != nil && document["rfm"] != nil && document["periods"] != nil)
        }
    }

    @Test(
        "the customers CSV has one row per customer with the documented columns, and the HTML report is self-contained")
    func customersAndHTML() throws {
        try Self.withFolder { folder in
            let log = folder.appendingPathComponent("cafe.csv")
            try Data(Self.cafe.utf8).write(to: log)
            let csv = folder.appendingPathComponent("customers.csv")
            let html = folder.appendingPathComponent("report.html")
            let result = try CLIRunner.run(
                ["analyze", log.path, "--quiet", "--customers-out", csv.path, "--html", html.path])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
            #expect(
                lines.first
                    == "customer_id,frequency,recency,T,monetary,p_alive,expected_purchases,expected_spend,clv,r_score,f_score,m_score,segment,stage"
            )
            #expect(lines.count == 5)
            #expect(lines[1].hasPrefix("anna,3,"))  // three repeat purchase days
            let page = try String(contentsOf: html, encoding: .utf8)
            #expect(page.hasPrefix("<!doctype html>") && page.contains("<svg") && !page.contains("<script"))
            #expect(page.contains("How to read"))
        }
    }

    @Test("every chart of the HTML report is well-formed SVG with numbers only (no NaN), holdout chart included")
    func chartsAreWellFormed() throws {
        try Self.withFolder { folder in
            let log = folder.appendingPathComponent("orders.csv")
            try Data(AnalyzeDatabaseTests.orders.utf8).write(to: log)
            let html = folder.appendingPathComponent("report.html")
            let result = try CLIRunner.run([
                "analyze", log.path, "--quiet", "--customer-column", "customer", "--date-column", "date",
                "--amount-column", "amount", "--calibration-end", "2025-09-30", "--html", html.path,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let page = try String(contentsOf: html, encoding: .utf8)
            #expect(!page.contains("NaN") && !page.contains("inf"))
            var charts: [Substring] = []
            var rest = page[...]
            while let start = rest.range(of: "<svg"), let end = rest[start.lowerBound...].range(of: "</svg>") {
                charts.append(rest[start.lowerBound..<end.upperBound])
                rest = rest[end.upperBound...]
            }
            #expect(charts.count >= 4, "KPI, cohort, retention, RFM and tracking charts")
            for (index, chart) in charts.enumerated() {
                let parser = XMLParser(data: Data(chart.utf8))
                #expect(parser.parse(), "chart \(index) is not well-formed: \(String(describing: parser.parserError))")
                #expect(chart.contains("viewBox"), "chart \(index) has no viewBox")
            }
        }
    }

    @Test("bad input: a missing file, an unknown column, a wrong option — a clear message and exit status 1")
    func badInput() throws {
        try Self.withFolder { folder in
            let missing = try CLIRunner.run(["analyze", folder.appendingPathComponent("none.csv").path])
            #expect(missing.status != 0 && missing.stderr.contains("cannot read the file"))
            let log = folder.appendingPathComponent("cafe.csv")
            try Data(Self.cafe.utf8).write(to: log)
            let column = try CLIRunner.run(
                ["analyze", log.path, "--customer-column", "guest", "--date-column", "visit", "--quiet"])
            #expect(column.status != 0 && column.stderr.contains("no column \"guest\""))
            let option = try CLIRunner.run(["analyze", log.path, "--period", "fortnight"])
            #expect(option.status != 0 && option.stderr.contains("--period must be"))
            let noCustomers = folder.appendingPathComponent("empty.csv")
            try Data("customer_id,date,amount\n,2024-01-01,5\n".utf8).write(to: noCustomers)
            let empty = try CLIRunner.run(["analyze", noCustomers.path, "--quiet"])
            #expect(empty.status != 0 && empty.stderr.contains("no transactions with a customer"))
        }
    }

    @Test(
        "the BG/NBD paper's CDNOW fit and holdout through the command line",
        .enabled(
            if: FileManager.default.fileExists(atPath: sharedDataFolder + "/README.md"), "../shared/data is absent"))
    func cdnowPaper() throws {
        let result = try CLIRunner.run([
            "analyze", sharedDataFolder + "/cdnow_sample_2357.csv.gz", "--preset", "cdnow", "--calibration-end",
            "1997-09-30",
            "--json", "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let bgnbd = try #require((document["models"] as? [String: Any])?["bgnbd"] as? [String: Any])
        #expect(String(format: "%.3f", bgnbd["r"] as? Double ?? 0) == "0.243")
        #expect(String(format: "%.3f", bgnbd["alpha"] as? Double ?? 0) == "4.414")
        #expect(String(format: "%.3f", bgnbd["a"] as? Double ?? 0) == "0.793")
        #expect(String(format: "%.3f", bgnbd["b"] as? Double ?? 0) == "2.426")
        #expect(String(format: "%.1f", bgnbd["log_likelihood"] as? Double ?? 0) == "-9582.4")
        let holdout = try #require(document["calibration"] as? [String: Any])
        #expect(holdout["actual_repeat_purchases"] as? Int == 1_882)
    }

}

/// ../shared/data beside the checkout.
private let sharedDataFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data").path
