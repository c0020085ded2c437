import Foundation
import RetainStore
import SQLKit
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Several `retain serve` processes on one PostgreSQL database: the same requests — concurrent orders, each
/// retried at both processes, and concurrent redemptions that together ask for more than the balance — leave the
/// same ledger as one process, with no double award and no negative balance.
@Suite("retain serve: two processes on one PostgreSQL", .enabled(if: PostgresForCLI.url != nil))
struct MultiProcessPostgresTests {
    static let customers = 6
    static let ordersPerCustomer = 8
    static let redemptionsPerCustomer = 8
    static let pointsPerRedemption: Int64 = 40

    @Test("orders, retries and redemptions at two processes leave the ledger one process leaves")
    func twoProcessesMatchOne() async throws {
        let two = try await run(processes: 2)
        let one = try await run(processes: 1)
        #expect(two == one)
        for (email, ledger) in two {
            let earned = ledger.filter { $0.hasPrefix("earn") }.count
            #expect(earned == Self.ordersPerCustomer, "\(email): one award per order, whatever the retries")
        }
    }

    /// One run on a fresh schema; answers each customer's ledger as sorted "kind points source" lines.
    func run(processes: Int) async throws -> [String: [String]] {
        try await PostgresForCLI.withSchema { url in
            try await CLIRunner.withTemporaryDatabase { scratch in
                let folder = URL(fileURLWithPath: scratch).deletingLastPathComponent()
                #expect(try CLIRunner.run(["migrate", "--database", url]).status == 0)
                let created = try CLIRunner.run([
                    "keys", "create", "--database", url, "--name", "test", "--scope", "admin", "--json",
                ])
                let secret = try #require(created.stdout.firstMatch(of: /rtn_[0-9A-Z]{40}/).map { String($0.output) })
                var servers: [(Process, String)] = []
                defer { for (process, _) in servers where process.isRunning { process.terminate() } }
                for index in 0..<processes {
                    let (process, log) = try ServeCommandTests().start(
                        database: url, folder: folder, logName: "serve-\(index).log")
                    let output = try await ServeCommandTests().waitFor("listening on", in: log)
                    let port = try #require(ServeCommandTests().listeningPort(in: output))
                    servers.append((process, "http://127.0.0.1:\(port)"))
                }
                let bases = servers.map(\.1)
                let client = APIClient(secret: secret)
                let rules =
                    #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100}]}"#
                #expect(try await client.send("PUT", bases[0] + "/v1/earning-rules", body: rules).status == 200)

                // Every order three times, spread over the processes, all at once.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for customer in 0..<Self.customers {
                        for order in 0..<Self.ordersPerCustomer {
                            let body =
                                #"{"order_id":"o-\#(customer)-\#(order)","customer":{"email":"c\#(customer)@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":\#(1_500 + 100 * order)}"#
                            for attempt in 0..<3 {
                                let base = bases[(customer + order + attempt) % bases.count]
                                group.addTask { try await client.send("POST", base + "/v1/orders", body: body).status }
                            }
                        }
                    }
                    for try await status in group { #expect(status == 201) }
                }
                // Redemptions asking for more than the balance in all, each sent twice with its key, all at once.
                let ids = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for customer in 0..<Self.customers {
                        group.addTask {
                            let answer = try await client.send(
                                "GET", bases[0] + "/v1/customers/email:c\(customer)%40example.com")
                            let id = try #require(answer.body.firstMatch(of: /"id":"(cus_[0-9A-Z]+)"/)?.output.1)
                            return (customer, String(id))
                        }
                    }
                    return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
                }
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for customer in 0..<Self.customers {
                        for redemption in 0..<Self.redemptionsPerCustomer {
                            for attempt in 0..<2 {
                                let base = bases[(redemption + attempt) % bases.count]
                                let path = base + "/v1/customers/\(ids[customer]!)/redemptions"
                                group.addTask {
                                    try await client.send(
                                        "POST", path, body: #"{"points":\#(Self.pointsPerRedemption)}"#,
                                        idempotencyKey: "r-\(customer)-\(redemption)"
                                    ).status
                                }
                            }
                        }
                    }
                    for try await status in group { #expect(status == 201 || status == 422, "status \(status)") }
                }

                var ledgers: [String: [String]] = [:]
                for customer in 0..<Self.customers {
                    let id = ids[customer]!
                    let wallet = try await client.send("GET", bases[0] + "/v1/customers/\(id)/wallet").body
                    let balance = try #require(wallet.firstMatch(of: /"balance":(-?\d+)/).map { Int64($0.output.1)! })
                    let entries = try await client.ledger(base: bases[0], customerID: id)
                    let sum = entries.reduce(Int64(0)) { $0 + $1.points }
                    #expect(balance >= 0 && balance == sum, "c\(customer): balance \(balance), entries sum \(sum)")
                    let earned = entries.filter { $0.kind == "earn" }.reduce(Int64(0)) { $0 + $1.points }
                    let redeemed = entries.filter { $0.kind == "redeem" }.count
                    #expect(Int64(redeemed) == earned / Self.pointsPerRedemption, "c\(customer): as many as fit")
                    ledgers["c\(customer)"] = entries.map { "\($0.kind) \($0.points) \($0.source)" }.sorted()
                }
                for (process, _) in servers {
                    process.terminate()
                    process.waitUntilExit()
                    #expect(process.terminationStatus == 0)
                }
                return ledgers
            }
        }
    }
}

/// A PostgreSQL server for the CLI tests: `RETAIN_TEST_POSTGRES_URL`, each test in a schema of its own.
enum PostgresForCLI {
    static let url: String? = {
        let url = ProcessInfo.processInfo.environment["RETAIN_TEST_POSTGRES_URL"] ?? ""
        if url.isEmpty {
            print("◇ multi-process PostgreSQL tests skipped: RETAIN_TEST_POSTGRES_URL is not set")
            return nil
        }
        return url
    }()

    /// Creates an empty schema, runs `body` with a URL that puts Retain's tables there, then drops the schema.
    static func withSchema<T>(_ body: (String) async throws -> T) async throws -> T {
        let base = try #require(url)
        let schema = "cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresProvider.open(PostgresSettings(url: base, poolSize: 2))
        do {
            try await admin.withWriteTransaction { try await $0.raw("CREATE SCHEMA \(ident: schema)").run() }
            let result = try await body(base + (base.contains("?") ? "&" : "?") + "search_path=\(schema)")
            try await admin.withWriteTransaction { try await $0.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            try await admin.close()
            return result
        } catch {
            _ = try? await admin.withWriteTransaction {
                try await $0.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
            }
            try? await admin.close()
            throw error
        }
    }
}

/// Just enough of an HTTP client for the tests.
struct APIClient: Sendable {
    let secret: String

    struct Entry: Decodable {
        let kind: String
        let points: Int64
        let sourceType: String
        let sourceID: String?
        /// The order an award or a reversal came from; the kind of source otherwise (redemption ids differ by run).
        var source: String { sourceType == "order" ? "order \(sourceID ?? "")" : sourceType }

        enum CodingKeys: String, CodingKey {
            case kind, points
            case sourceType = "source_type"
            case sourceID = "source_id"
        }
    }

    func send(_ method: String, _ url: String, body: String? = nil, idempotencyKey: String? = nil) async throws
        -> (status: Int, body: String)
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Every entry of the customer, page by page.
    func ledger(base: String, customerID: String) async throws -> [Entry] {
        struct Page: Decodable {
            let entries: [Entry]
            let nextBefore: String?
            enum CodingKeys: String, CodingKey {
                case entries
                case nextBefore = "next_before"
            }
        }
        var all: [Entry] = []
        var before: String?
        repeat {
            let url = base + "/v1/customers/\(customerID)/ledger?limit=100" + (before.map { "&before=\($0)" } ?? "")
            let page = try JSONDecoder().decode(Page.self, from: Data(try await send("GET", url).body.utf8))
            all += page.entries
            before = page.nextBefore
        } while before != nil
        return all
    }
}
