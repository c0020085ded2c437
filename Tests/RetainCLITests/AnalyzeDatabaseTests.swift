import Foundation
import Testing

/// `retain analyze --database`: a program's own orders give the same analysis as the order file they were imported
/// from, and wrong combinations of options are refused with a reason.
@Suite("retain analyze --database")
struct AnalyzeDatabaseTests {
    /// 120 customers over 2025 who differ in how often they buy (every 6, 15, 30 or 60 days, with jitter) and how
    /// long they stay (1 to 30 purchases), so that BG/NBD has something to fit.
    static var orders: String {
        var lines = ["order,customer,date,amount"]
        let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01
        for customer in 0..<120 {
            let gap = [6, 15, 30, 60][customer % 4]
            let stay = customer % 5 == 0 ? 30 : customer % 3 == 0 ? 1 : (customer * 7) % 4 + 2
            var day = (customer * 13) % 150
            for k in 0..<stay where day <= 364 {
                let date = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(day) * 86_400)).prefix(
                    10)
                let cents = 500 + 100 * (customer % 13) + 125 * k
                lines.append(
                    "B-\(customer)-\(k),c\(customer),\(date),\(cents / 100).\(String(format: "%02d", cents % 100))")
                day += gap + (customer * k * 31) % gap
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where two JSON values differ: numbers may differ in the last digits (sums over customers in another order).
    static func differences(_ a: Any?, _ b: Any?, at path: String) -> [String] {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            guard Set(x.keys) == Set(y.keys) else { return ["\(path): keys \(x.keys.sorted()) vs \(y.keys.sorted())"] }
            return x.keys.sorted().flatMap { differences(x[$0], y[$0], at: path + "." + $0) }
        case (let x as [Any], let y as [Any]):
            guard x.count == y.count else { return ["\(path): \(x.count) vs \(y.count) items"] }
            return zip(x, y).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)[\($0)]") }
        case (let x as NSNumber, let y as NSNumber):
            let (u, v) = (x.doubleValue, y.doubleValue)
            return abs(u - v) <= 1e-9 * max(abs(u), abs(v)) ? [] : ["\(path): \(u) vs \(v)"]
        case (let x as String, let y as String):
            return x == y ? [] : ["\(path): \(x) vs \(y)"]
        case (is NSNull, is NSNull), (nil, nil):
            return []
        default:
            return ["\(path): \(String(describing: a)) vs \(String(describing: b))"]
        }
    }

    static func json(_ result: CLIRunner.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("the imported orders give the file's summary, periods, cohorts, segment sizes and model fit")
    func sameAsTheFile() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let file = URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("orders.csv")
            try Data(Self.orders.utf8).write(to: file)
            let mapping = [
                "--customer-column", "customer", "--order-column", "order", "--date-column", "date",
                "--amount-column", "amount",
            ]
            let imported = try CLIRunner.run(
                ["import", "orders", file.path, "--database", database, "--quiet"] + mapping)
            #expect(imported.status == 0, "\(imported.stderr)")

            let fromFile = try Self.json(
                try CLIRunner.run(["analyze", file.path, "--json", "--quiet", "--rfm-ties", "shared"] + mapping))
            let fromStore = try Self.json(
                try CLIRunner.run(["analyze", "--database", database, "--json", "--quiet", "--rfm-ties", "shared"]))
            for part in ["summary", "periods", "cohorts", "stages"] {
                let differences = Self.differences(fromFile[part], fromStore[part], at: part)
                #expect(differences.isEmpty, "\(differences.prefix(5))")
            }
            let summary = try #require(fromStore["summary"] as? [String: Any])
            #expect(summary["customers"] as? Int == 120)
            #expect(summary["transactions"] as? Int == Self.orders.split(separator: "\n").count - 1)
            // Customer ids differ (the store's own); with shared ties the scores depend on the values alone.
            func sizes(_ document: [String: Any]) -> [String: Int] {
                let segments = (document["rfm"] as? [String: Any])?["segments"] as? [[String: Any]] ?? []
                return Dictionary(
                    uniqueKeysWithValues: segments.map { ($0["segment"] as! String, $0["customers"] as! Int) })
            }
            #expect(sizes(fromFile) == sizes(fromStore))
            let fileFit = try #require((fromFile["models"] as? [String: Any])?["bgnbd"] as? [String: Any])
            let storeFit = try #require((fromStore["models"] as? [String: Any])?["bgnbd"] as? [String: Any])
            for name in ["r", "alpha", "a", "b", "log_likelihood"] {
                let x = try #require(fileFit[name] as? Double)
                let y = try #require(storeFit[name] as? Double)
                #expect(abs(x - y) <= 1e-9 * abs(x), "\(name): \(x) vs \(y)")
            }
            let source = try #require(fromStore["source"] as? [String: Any])
            #expect((source["file"] as? String)?.hasSuffix("program default") == true)
        }
    }

    @Test("wrong combinations and missing databases or programs are refused with a reason")
    func refusals() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let missing = try CLIRunner.run(["analyze", "--database", database])
            #expect(missing.status != 0 && missing.stderr.contains("no such database"))
            #expect(!FileManager.default.fileExists(atPath: database), "analyze never creates a database")

            #expect(try CLIRunner.run(["migrate", "--database", database]).status == 0)
            let empty = try CLIRunner.run(["analyze", "--database", database])
            #expect(empty.status != 0 && empty.stderr.contains("has no purchases to analyse"))
            let noProgram = try CLIRunner.run(["analyze", "--database", database, "--program", "nope"])
            #expect(noProgram.status != 0 && noProgram.stderr.contains("has no program nope"))

            for (arguments, reason) in [
                (["analyze"], "give a transaction log FILE, or --database"),
                (["analyze", "x.csv", "--database", database], "either a FILE or --database"),
                (["analyze", "--database", database, "--preset", "cdnow"], "--database needs none"),
                (["analyze", "--database", database, "--returns", "net"], "returns are netted per order"),
                (["analyze", "x.csv", "--program", "shop"], "--program goes with --database"),
            ] {
                let result = try CLIRunner.run(arguments)
                #expect(result.status != 0 && result.stderr.contains(reason), "\(arguments): \(result.stderr)")
            }
        }
    }
}
