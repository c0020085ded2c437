import Foundation
import HTTPTypes
import RetainCore
import RetainServices
import Testing

/// A key is bound to one program: no request made with program B's key can read or change program A's data.
@Suite("program isolation over HTTP")
struct ProgramIsolationHTTPTests {
    static let order =
        #"{"order_id":"O-1","customer":{"email":"ann@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","lines":[{"sku":"MUG","quantity":2,"unit_price":1250}]}"#

    struct Probe: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var headers: [String: String] = [:]
        /// What program B must get.
        var expected: Set<Int>
        var testDescription: String { "\(method) \(path) → \(expected.sorted())" }
    }

    /// Every endpoint, aimed at program A's records with program B's key. Table-driven: a new endpoint is one row.
    static func probes(customer: String) -> [Probe] {
        [
            Probe(method: .get, path: "/v1/customers/\(customer)", expected: [404]),
            Probe(method: .get, path: "/v1/customers/email:ann@example.com", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/wallet", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/ledger", expected: [404]),
            Probe(method: .get, path: "/v1/orders/O-1", expected: [404]),
            Probe(
                method: .patch, path: "/v1/customers/\(customer)", body: #"{"first_name":"Mallory"}"#, expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/redemptions", body: #"{"points":10}"#,
                headers: ["Idempotency-Key": "b-1"], expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/adjustments",
                body: #"{"points":-10,"reason":"theft attempt"}"#,
                headers: ["Idempotency-Key": "b-2"], expected: [404]),
            Probe(
                method: .post, path: "/v1/orders/O-1/returns", body: #"{"return_id":"R-B","whole":true}"#,
                expected: [404]),
            Probe(method: .delete, path: "/v1/earning-rules/extra", expected: [404]),
            Probe(
                method: .post, path: "/v1/events",
                body:
                    #"{"event_id":"E-B","name":"review","customer":{"email":"ann@example.com"},"occurred_at":"2026-01-11T10:00:00Z"}"#,
                expected: [422]),
            Probe(method: .post, path: "/v1/customers", body: #"{"email":"ann@example.com"}"#, expected: [201]),
            Probe(
                method: .put, path: "/v1/earning-rules/base",
                body: #"{"name":"B's own base","kind":"points_per_amount","points":5,"per_amount":100}"#,
                expected: [200]),
            Probe(method: .post, path: "/v1/orders", body: order, expected: [201]),
            Probe(method: .post, path: "/v1/expiry/run", expected: [200]),
        ]
    }

    @Test("program B's key sees nothing of program A and changes nothing in it")
    func isolation() async throws {
        try await HTTPHarness.run { harness, client in
            let a = harness.keyA
            #expect(
                try await client.call(
                    .put, "/v1/earning-rules", key: a,
                    body:
                        #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100},{"id":"extra","name":"bonus","kind":"order_bonus","points":7},{"id":"review","name":"review","kind":"event","event_name":"review","points":10}]}"#
                ).status == 200)
            let created = try await client.call(
                .post, "/v1/customers", key: a, body: #"{"email":"ann@example.com","first_name":"Ann"}"#)
            #expect(created.status == 201)
            let customer = try #require(created.object("customer")["id"] as? String)
            #expect(try await client.call(.post, "/v1/orders", key: a, body: Self.order).status == 201)
            #expect(
                try await client.call(
                    .post, "/v1/orders/O-1/returns", key: a,
                    body: #"{"return_id":"R-1","lines":[{"sku":"MUG","quantity":1}]}"#
                ).status == 201)
            #expect(
                try await client.call(
                    .post, "/v1/events", key: a,
                    body:
                        #"{"event_id":"E-1","name":"review","customer":{"customer_id":"\#(customer)"},"occurred_at":"2026-01-11T10:00:00Z"}"#
                ).status == 201)
            #expect(
                try await client.call(
                    .post, "/v1/customers/\(customer)/redemptions", key: a, body: #"{"points":5}"#,
                    headers: ["Idempotency-Key": "a-1"]
                ).status == 201)
            #expect(
                try await client.call(
                    .post, "/v1/customers/\(customer)/adjustments", key: a,
                    body: #"{"points":100,"reason":"welcome gift"}"#, headers: ["Idempotency-Key": "a-2"]
                ).status == 201)
            let walletBefore = try await client.call(.get, "/v1/customers/\(customer)/wallet", key: a).text
            let ledgerBefore = try await client.call(.get, "/v1/customers/\(customer)/ledger", key: a).text
            let rulesBefore = try await client.call(.get, "/v1/earning-rules", key: a).text
            let orderBefore = try await client.call(.get, "/v1/orders/O-1", key: a).text

            for probe in Self.probes(customer: customer) {
                let reply = try await client.call(
                    probe.method, probe.path, key: harness.keyB, body: probe.body, headers: probe.headers)
                #expect(
                    probe.expected.contains(reply.status), "\(probe.testDescription): got \(reply.status) \(reply.text)"
                )
                if reply.status >= 400 { #expect(reply.isProblem, "\(probe.testDescription)") }
            }
            let list = try await client.call(.get, "/v1/customers", key: harness.keyB)
            #expect(!(list.json["customers"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == customer })
            #expect(try await client.call(.get, "/v1/program", key: harness.keyB).string("id") == "other")
            let ordersOfB = try await client.call(.get, "/v1/orders", key: harness.keyB)
            #expect(ordersOfB.status == 200)
            #expect(!ordersOfB.text.contains(customer))
            #expect(!(try await client.call(.get, "/v1/earning-rules", key: harness.keyB).text.contains("\"extra\"")))

            #expect(try await client.call(.get, "/v1/customers/\(customer)/wallet", key: a).text == walletBefore)
            #expect(try await client.call(.get, "/v1/customers/\(customer)/ledger", key: a).text == ledgerBefore)
            #expect(try await client.call(.get, "/v1/earning-rules", key: a).text == rulesBefore)
            #expect(try await client.call(.get, "/v1/orders/O-1", key: a).text == orderBefore)
        }
    }
}
