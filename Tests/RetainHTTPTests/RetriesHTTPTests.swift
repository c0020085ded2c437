import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainServices
import Testing

/// Every write a client may retry is idempotent: the same request twice gives the same answer and one effect; the
/// same key with a different request is a 409 problem and no effect.
@Suite("retries over HTTP")
struct RetriesHTTPTests {
    struct Retry: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPRequest.Method = .post
        var path: String
        var body: String
        var headers: [String: String] = [:]
        /// The same key (order id, return id, event id or Idempotency-Key) with a different request.
        var changedPath: String? = nil
        var changedBody: String? = nil
        /// Ledger entries of customer `KIM` the first request writes.
        var entries: Int
        var testDescription: String { name }
    }

    static let order =
        #"{"order_id":"O-1","customer":{"email":"kim@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":5000}"#
    static let event =
        #"{"event_id":"E-1","name":"review","customer":{"email":"kim@example.com"},"occurred_at":"2026-01-11T10:00:00Z"}"#

    /// In order: each row builds on the ones before (the customer exists, the order can be returned, points can
    /// be spent). `KIM` and `LEE` are replaced by the two customers' ids.
    static let retries: [Retry] = [
        Retry(
            name: "customer with an Idempotency-Key", path: "/v1/customers", body: #"{"email":"kim@example.com"}"#,
            headers: ["Idempotency-Key": "c-1"], changedBody: #"{"email":"kim2@example.com"}"#, entries: 0),
        Retry(
            name: "order", path: "/v1/orders", body: order,
            changedBody: order.replacingOccurrences(of: "5000", with: "5001"), entries: 1),
        Retry(
            name: "order with the same content under another spelling", path: "/v1/orders",
            body: order.replacingOccurrences(of: #""total":5000"#, with: #" "total" : 5000 "#),
            changedBody: order.replacingOccurrences(of: "2026-01-10T10:00:00Z", with: "2026-01-10T10:00:01Z"),
            entries: 0),
        Retry(
            name: "event", path: "/v1/events", body: event,
            changedBody: event.replacingOccurrences(of: "2026-01-11", with: "2026-01-12"), entries: 1),
        Retry(
            name: "return", path: "/v1/orders/O-1/returns", body: #"{"return_id":"R-1","amount":1000}"#,
            changedBody: #"{"return_id":"R-1","amount":999}"#, entries: 1),
        Retry(
            name: "redemption", path: "/v1/customers/KIM/redemptions", body: #"{"points":20}"#,
            headers: ["Idempotency-Key": "k-1"], changedBody: #"{"points":21}"#, entries: 1),
        Retry(
            name: "redemption key reused for another customer", path: "/v1/customers/KIM/redemptions",
            body: #"{"points":20}"#, headers: ["Idempotency-Key": "k-1"], changedPath: "/v1/customers/LEE/redemptions",
            changedBody: #"{"points":20}"#, entries: 0),
        Retry(
            name: "adjustment", path: "/v1/customers/KIM/adjustments", body: #"{"points":5,"reason":"goodwill"}"#,
            headers: ["Idempotency-Key": "a-1"], changedBody: #"{"points":-5,"reason":"goodwill"}"#, entries: 1),
    ]

    @Test("the same request twice: the same answer and one effect; a different request under its key: 409")
    func retries() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            #expect(
                try await client.call(
                    .put, "/v1/earning-rules", key: key,
                    body:
                        #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100},{"id":"review","name":"review","kind":"event","event_name":"review","points":10}]}"#
                ).status == 200)
            let lee = try await client.call(.post, "/v1/customers", key: key, body: #"{"email":"lee@example.com"}"#)
            let leeID = try #require(lee.object("customer")["id"] as? String)
            var kimID = ""
            func entries() async throws -> Int {
                guard !kimID.isEmpty else { return 0 }
                let ledger = try await client.call(.get, "/v1/customers/\(kimID)/ledger?limit=200", key: key)
                return (ledger.json["entries"] as? [Any])?.count ?? -1
            }
            for retry in Self.retries {
                func resolve(_ text: String) -> String {
                    text.replacingOccurrences(of: "KIM", with: kimID).replacingOccurrences(of: "LEE", with: leeID)
                }
                let before = try await entries()
                let first = try await client.call(
                    retry.method, resolve(retry.path), key: key, body: retry.body, headers: retry.headers)
                #expect(first.status == 201, "\(retry.name): \(first.text)")
                if kimID.isEmpty { kimID = first.object("customer")["id"] as? String ?? "" }
                #expect(try await entries() == before + retry.entries, "\(retry.name)")
                let again = try await client.call(
                    retry.method, resolve(retry.path), key: key, body: retry.body, headers: retry.headers)
                #expect(again.status == first.status, "\(retry.name)")
                #expect(again.text == first.text, "\(retry.name): the retry got another answer")
                if let changed = retry.changedBody {
                    let conflict = try await client.call(
                        retry.method, resolve(retry.changedPath ?? retry.path), key: key, body: changed,
                        headers: retry.headers)
                    #expect(conflict.status == 409, "\(retry.name): \(conflict.text)")
                    #expect(conflict.isProblem, "\(retry.name)")
                }
                #expect(try await entries() == before + retry.entries, "\(retry.name): a retry wrote again")
            }
            let wallet = try await client.call(.get, "/v1/customers/\(kimID)/wallet", key: key)
            #expect(wallet.int("balance") == 50 + 10 - 10 - 20 + 5)
            #expect(try await client.call(.get, "/v1/customers/\(leeID)/ledger", key: key).ids("entries").isEmpty)
            #expect(try await client.call(.get, "/v1/customers", key: key).ids("customers").count == 2)
        }
    }
}
