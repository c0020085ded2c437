import Foundation
import RetainCore
import RetainStore
import Testing

/// The Online Retail history replayed with the three-tier program and stamp card of
/// `docs/examples/online-retail-program.json`: the distributions stated in docs/loyalty-program.md, identical in two
/// single-pass imports and in an import that records every order and cancellation in its own transaction, as
/// order-by-order API calls do.
@Suite("tiers and stamps on the real Online Retail history")
struct RealDataTierReplayTests {
    static let programFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/examples/online-retail-program.json")

    /// One customer as the replay left them: external id, tier, stamps on each card, and balance.
    struct Snapshot: Equatable, CustomStringConvertible {
        var externalID: String
        var tier: String?
        var stamps: [String]
        var balance: Int64
        var description: String { "\(externalID) \(tier ?? "-") \(stamps) \(balance)" }
    }

    static func replay(into database: String, batchSize: Int?) throws -> String {
        #expect(
            try CLIRunner.run([
                "programs", "create", "retail", "--currency", "GBP", "--time-zone", "Europe/London",
                "--database", database,
            ]).status == 0)
        let load = try CLIRunner.run([
            "program", "load", programFile.path, "--program", "retail", "--database", database,
        ])
        #expect(load.status == 0, "\(load.stderr)")
        var arguments = [
            "import", "orders", RealDataImportTests.file.path, "--preset", "online-retail", "--program", "retail",
            "--database", database, "--quiet", "--synchronous", "normal",
        ]
        if let batchSize { arguments += ["--batch-size", String(batchSize)] }
        let imported = try CLIRunner.run(arguments)
        #expect(imported.status == 0, "\(imported.stderr)")
        // Settle the reviews due by the day after the last invoice (2011-12-09).
        #expect(
            try CLIRunner.run([
                "expire", "--program", "retail", "--as-of", "2011-12-10T00:00:00Z", "--database", database,
            ]).status == 0)
        let report = try CLIRunner.run(["program", "report", "--program", "retail", "--json", "--database", database])
        #expect(report.status == 0, "\(report.stderr)")
        return report.stdout
    }

    static func snapshot(_ database: String) async throws -> [Snapshot] {
        let provider = try await SQLiteProvider.open(path: database)
        do {
            let store = SQLLoyaltyStore(provider: provider)
            let rows = try await store.read(program: "retail") { session in
                var rows: [Snapshot] = []
                var after: String?
                while true {
                    let page = try await session.listCustomers(CustomerQuery(limit: 1_000, after: after))
                    let memberships = Dictionary(
                        uniqueKeysWithValues: try await session.memberships(customerIDs: page.map(\.id)).map {
                            ($0.customerID, $0)
                        })
                    for customer in page {
                        let membership = memberships[customer.id]
                        rows.append(
                            Snapshot(
                                externalID: customer.externalID ?? customer.id, tier: membership?.tier?.tierID,
                                stamps: membership?.stampCards.map {
                                    "\($0.cardID):\($0.stamps)/\($0.completed)/\($0.owed)"
                                }
                                    ?? [],
                                balance: try await session.balance(customerID: customer.id)))
                    }
                    guard page.count == 1_000 else { break }
                    after = page.last?.id
                }
                return rows.sorted { $0.externalID < $1.externalID }
            }
            try await provider.close()
            return rows
        } catch {
            try? await provider.close()
            throw error
        }
    }

    @Test(
        "two single-pass imports and an order-by-order import end with the same tiers, stamps and balances",
        .enabled(if: RealDataImportTests.available, "../shared/data is absent: the real-data replay test is skipped"))
    func replay() async throws {
        try await CLIRunner.withTemporaryDatabase { first in
            let folder = URL(fileURLWithPath: first).deletingLastPathComponent()
            let second = folder.appendingPathComponent("second.sqlite").path
            let oneByOne = folder.appendingPathComponent("one-by-one.sqlite").path
            let report = try Self.replay(into: first, batchSize: nil)
            #expect(try Self.replay(into: second, batchSize: nil) == report)
            #expect(try Self.replay(into: oneByOne, batchSize: 1) == report)

            // The distributions docs/loyalty-program.md states.
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
            let tiers = (json["tiers"] as? [String: Any])?["tiers"] as? [[String: Any]] ?? []
            #expect(tiers.map { $0["customers"] as? Int } == [2_698, 1_376, 264])
            let card = ((json["stamp_cards"] as? [String: Any])?["cards"] as? [[String: Any]])?.first ?? [:]
            #expect(card["customers"] as? Int == 4_328)
            #expect(card["cards_completed"] as? Int == 598)
            #expect(card["customers_completed"] as? Int == 368)

            let reference = try await Self.snapshot(first)
            #expect(reference.count == 4_338)
            #expect(try await Self.snapshot(second) == reference)
            let stepwise = try await Self.snapshot(oneByOne)
            #expect(stepwise == reference)
            for (a, b) in zip(reference, stepwise) where a != b {
                Issue.record("first difference: \(a) vs \(b)")
                break
            }
        }
    }
}
