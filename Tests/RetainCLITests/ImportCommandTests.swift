import Foundation
import Testing

@Suite("retain import")
struct ImportCommandTests {
    static let sample = """
        InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
        536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
        536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom
        536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom
        536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,,United Kingdom
        536367,22745,POPPY'S PLAYHOUSE,6,2010-12-01 08:34:00,0,13047,United Kingdom
        536368,22960,JAM MAKING SET,6,2010-12-01 08:34:00,4.25,13047,United Kingdom
        536369,22961,JAM JAR,abc,2010-12-01 08:35:00,4.25,13047,United Kingdom
        536369,22962,JAM LID,2,2010-12-01 08:35:00,1.00,13047,United Kingdom
        C536370,85123A,WHITE HANGING HEART,-2,2010-12-02 09:00:00,2.55,17850,United Kingdom
        C536371,99999,NEVER BOUGHT,-1,2010-12-02 09:00:00,5.00,17850,United Kingdom

        """

    func prepare(_ database: String) throws -> URL {
        let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
        let file = folder.appendingPathComponent("sales.csv")
        try Data(Self.sample.utf8).write(to: file)
        let rules = folder.appendingPathComponent("rules.json")
        try Data(
            #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100}]}"#
                .utf8
        )
        .write(to: rules)
        #expect(
            try CLIRunner.run(["programs", "create", "retail", "--currency", "GBP", "--database", database]).status == 0
        )
        #expect(
            try CLIRunner.run(["rules", "load", rules.path, "--program", "retail", "--database", database]).status == 0)
        return file
    }

    @Test("counts every row by what happened to it, applies the rules, and a second run changes nothing")
    func importTwice() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let file = try prepare(database)
            let arguments = [
                "import", "orders", file.path, "--preset", "online-retail", "--program", "retail",
                "--database", database, "--json",
            ]
            let first = try CLIRunner.run(arguments)
            #expect(first.status == 0, "\(first.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
            #expect(report["rows_read"] as? Int == 10)
            #expect(report["orders_recorded"] as? Int == 2)  // 536365 and 536368; 536369 has a malformed line
            #expect(report["returns_recorded"] as? Int == 1)
            #expect(report["customers_created"] as? Int == 2)
            // 536365: 6 × 2.55 + 6 × 3.39 = 35.64 → 35 points; 536368: 25.50 → 25 points.
            #expect(report["points_awarded"] as? Int == 60)
            // The return of 2 of 6 hearts takes back ⌊15 × 2 / 6⌋ = 5 of the 15 points that line earned.
            #expect(report["points_reversed"] as? Int == 5)
            let skipped = try #require(report["skipped"] as? [String: [String: Any]])
            #expect(skipped["duplicate"]?["rows"] as? Int == 1)
            #expect(skipped["no_customer"]?["rows"] as? Int == 1)
            #expect(skipped["zero_price"]?["rows"] as? Int == 1)
            #expect(skipped["malformed"]?["rows"] as? Int == 2)
            #expect(skipped["malformed"]?["first_lines"] as? [Int] == [8, 9])  // the bad row, then its order
            #expect(skipped["cancellation_without_original"]?["rows"] as? Int == 1)

            let second = try CLIRunner.run(arguments)
            let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
            #expect(again["orders_recorded"] as? Int == 0)
            #expect(again["orders_already_imported"] as? Int == 2)
            #expect(again["returns_recorded"] as? Int == 0)
            #expect(again["returns_already_imported"] as? Int == 1)
            #expect(again["customers_created"] as? Int == 0)

            let shown = try CLIRunner.run([
                "customer", "show", "external_id:17850", "--program", "retail", "--database", database, "--json",
            ])
            let customer = try #require(
                try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
            let wallet = try #require(customer["wallet"] as? [String: Any])
            #expect(wallet["balance"] as? Int == 30)
        }
    }

    @Test("a broken file names file, line and column and imports nothing")
    func brokenFile() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let file = try prepare(database)
            try Data((Self.sample + "536400,1,\"UNCLOSED,1,2010-12-03 10:00:00,1.00,17850,UK\n").utf8).write(to: file)
            let result = try CLIRunner.run([
                "import", "orders", file.path, "--preset", "online-retail", "--program", "retail", "--database",
                database,
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("\(file.path):12:10"))
            #expect(result.stderr.contains("nothing was imported"))
            let shown = try CLIRunner.run([
                "customer", "show", "external_id:17850", "--program", "retail", "--database", database,
            ])
            #expect(shown.status != 0)
        }
    }

    /// The file gzipped by the system's gzip (an independent writer, not ours).
    static func gzipped(_ file: URL) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    @Test("a gzip file of two members (cat a.gz b.gz) imports the rows of both; a cut one is refused, nothing written")
    func gzipMembers() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let file = try prepare(database)
            let lines = Self.sample.split(separator: "\n", omittingEmptySubsequences: false)
            let head = file.deletingLastPathComponent().appendingPathComponent("head.csv")
            let tail = file.deletingLastPathComponent().appendingPathComponent("tail.csv")
            try Data((lines[..<6].joined(separator: "\n") + "\n").utf8).write(to: head)
            try Data(lines[6...].joined(separator: "\n").utf8).write(to: tail)
            let whole = try Self.gzipped(head) + Self.gzipped(tail)
            let cut = file.deletingLastPathComponent().appendingPathComponent("cut.csv.gz")
            try whole.prefix(whole.count - 30).write(to: cut)
            let refused = try CLIRunner.run([
                "import", "orders", cut.path, "--preset", "online-retail", "--program", "retail", "--database",
                database,
            ])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("\(cut.path): the gzip data is damaged"), "\(refused.stderr)")
            let members = file.deletingLastPathComponent().appendingPathComponent("members.csv.gz")
            try whole.write(to: members)
            let result = try CLIRunner.run([
                "import", "orders", members.path, "--preset", "online-retail", "--program", "retail", "--database",
                database, "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            // The same counts as the plain file: the refused import wrote nothing, and no row of either member is lost.
            #expect(report["rows_read"] as? Int == 10)
            #expect(report["orders_recorded"] as? Int == 2)
            #expect(report["returns_recorded"] as? Int == 1)
        }
    }

    @Test("a file in another currency than the program is refused with the way out")
    func currencyMismatch() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let file = try prepare(database)
            let result = try CLIRunner.run([
                "import", "orders", file.path, "--preset", "online-retail", "--database", database,
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("earns in EUR but this file is in GBP"))
        }
    }

    @Test("customers import creates each customer once")
    func customers() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let file = try prepare(database)
            let arguments = [
                "import", "customers", file.path, "--preset", "online-retail", "--program", "retail", "--database",
                database, "--json",
            ]
            let first = try CLIRunner.run(arguments)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
            #expect(report["customers_created"] as? Int == 2, "\(first.stderr)")
            let second = try CLIRunner.run(arguments)
            let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
            #expect(again["customers_created"] as? Int == 0)
            #expect(again["customers_already_known"] as? Int == 2)
            let shown = try CLIRunner.run([
                "customer", "show", "external_id:13047", "--program", "retail", "--database", database, "--json",
            ])
            #expect(shown.stdout.contains("\"country\" : \"United Kingdom\""))
        }
    }
}
