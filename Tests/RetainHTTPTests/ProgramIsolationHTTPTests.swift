import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainServices
import Testing

/// A key is bound to one program: no request made with program B's key can read or change program A's data.
@Suite("program isolation over HTTP")
struct ProgramIsolationHTTPTests {
    static let order =
        #"{"order_id":"O-1","customer":{"email":"ann@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","lines":[{"sku":"MUG","quantity":2,"unit_price":1250}]}"#
    static let event =
        #"{"event_id":"E-1","name":"review","customer":{"customer_id":"CUSTOMER"},"occurred_at":"2026-01-11T10:00:00Z"}"#

    struct Probe: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var headers: [String: String] = [:]
        /// What program B must get.
        var expected: Set<Int>
        /// The field a 422 must name.
        var field: String?
        var testDescription: String { "\(method) \(path) → \(expected.sorted())" }
    }

    /// Every endpoint, aimed at program A's records with program B's key. Table-driven: a new endpoint is one row.
    /// Rows that reuse A's idempotency keys, return id and event id with A's exact bodies check that B never gets
    /// A's stored answers back.
    static func probes(customer: String, code: String) -> [Probe] {
        [
            Probe(method: .get, path: "/v1/customers/\(customer)", expected: [404]),
            Probe(method: .get, path: "/v1/customers/email:ann@example.com", expected: [404]),
            Probe(method: .get, path: "/v1/customers/external_id:ext-ann", expected: [404]),
            Probe(method: .get, path: "/v1/customers/phone:+48600100200", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/wallet", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/ledger", expected: [404]),
            Probe(method: .get, path: "/v1/orders/O-1", expected: [404]),
            Probe(
                method: .patch, path: "/v1/customers/\(customer)", body: #"{"first_name":"Mallory"}"#, expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/redemptions", body: #"{"points":10}"#,
                headers: ["Idempotency-Key": "b-1"], expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/redemptions", body: #"{"points":5}"#,
                headers: ["Idempotency-Key": "a-1"], expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/adjustments",
                body: #"{"points":-10,"reason":"theft attempt"}"#, headers: ["Idempotency-Key": "b-2"], expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/adjustments",
                body: #"{"points":100,"reason":"welcome gift"}"#, headers: ["Idempotency-Key": "a-2"], expected: [404]),
            Probe(
                method: .post, path: "/v1/orders/O-1/returns", body: #"{"return_id":"R-B","whole":true}"#,
                expected: [404]),
            Probe(
                method: .post, path: "/v1/orders/O-1/returns",
                body: #"{"return_id":"R-1","lines":[{"sku":"MUG","quantity":1}]}"#, expected: [404]),
            Probe(
                method: .post, path: "/v1/orders/O-1/assign", body: #"{"customer_id":"\#(customer)"}"#,
                expected: [404]),
            Probe(method: .delete, path: "/v1/earning-rules/extra", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/tier", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/stamp-cards", expected: [404]),
            Probe(method: .get, path: "/v1/customers/\(customer)/rewards", expected: [404]),
            Probe(
                method: .post, path: "/v1/customers/\(customer)/rewards", body: #"{"reward_id":"mug"}"#,
                headers: ["Idempotency-Key": "a-3"], expected: [404]),
            Probe(method: .get, path: "/v1/reward-codes/\(code)", expected: [404]),
            Probe(method: .post, path: "/v1/reward-codes/\(code)/use", body: #"{"order_id":"B-1"}"#, expected: [404]),
            Probe(method: .post, path: "/v1/reward-codes/\(code)/cancel", expected: [404]),
            Probe(
                method: .put, path: "/v1/customers/\(customer)/tier-override",
                body: #"{"tier_id":"gold","reason":"friend of the owner","until":"2030-01-01T00:00:00Z"}"#,
                expected: [404]),
            Probe(
                method: .post, path: "/v1/events",
                body:
                    #"{"event_id":"E-B","name":"review","customer":{"email":"ann@example.com"},"occurred_at":"2026-01-11T10:00:00Z"}"#,
                expected: [422], field: "customer"),
            Probe(
                method: .post, path: "/v1/events", body: event.replacingOccurrences(of: "CUSTOMER", with: customer),
                expected: [422], field: "customer"),
            Probe(
                method: .post, path: "/v1/orders",
                body: order.replacingOccurrences(of: #""O-1""#, with: #""O-2""#).replacingOccurrences(
                    of: #"{"email":"ann@example.com"}"#, with: #"{"customer_id":"\#(customer)"}"#),
                expected: [422], field: "customer.customer_id"),
            Probe(method: .get, path: "/v1/analytics/customers/\(customer)", expected: [404]),
            Probe(method: .get, path: "/v1/analytics/customers/email:ann@example.com", expected: [404]),
            // B's own records, under the same natural keys as A's: created, no conflict.
            Probe(method: .post, path: "/v1/customers", body: #"{"email":"ann@example.com"}"#, expected: [201]),
            Probe(
                method: .put, path: "/v1/earning-rules/base",
                body: #"{"name":"B's own base","kind":"points_per_amount","points":5,"per_amount":100}"#,
                expected: [200]),
            Probe(method: .post, path: "/v1/orders", body: order, expected: [201]),
            Probe(method: .post, path: "/v1/expiry/run", expected: [200]),
            Probe(method: .get, path: "/v1/tiers", expected: [422]),
            Probe(method: .get, path: "/v1/stamp-cards", expected: [200]),
            Probe(method: .get, path: "/v1/rewards", expected: [200]),
            Probe(method: .get, path: "/v1/expiring-points?within_days=3650", expected: [200]),
            Probe(method: .get, path: "/v1/reports/liability", expected: [200]),
            Probe(method: .post, path: "/v1/program/dry-run?days=3650", body: #"{"rules":[]}"#, expected: [200]),
            Probe(method: .put, path: "/v1/program/configuration", body: #"{"tiers":null}"#, expected: [200]),
            // B's analytics: computed from B's orders only, although A's were computed (and kept) first.
            Probe(method: .post, path: "/v1/analytics/refresh", expected: [200]),
            Probe(method: .get, path: "/v1/analytics/summary", expected: [200]),
            Probe(method: .get, path: "/v1/analytics/cohorts", expected: [200]),
            Probe(method: .get, path: "/v1/analytics/rfm", expected: [200]),
            Probe(method: .get, path: "/v1/analytics/at-risk", expected: [200]),
        ]
    }

    @Test("program B's key sees nothing of program A and changes nothing in it")
    func isolation() async throws {
        try await HTTPHarness.run { harness, client in
            let a = harness.keyA
            let b = harness.keyB
            #expect(
                try await client.call(
                    .put, "/v1/earning-rules", key: a,
                    body:
                        #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100},{"id":"extra","name":"bonus","kind":"order_bonus","points":7},{"id":"review","name":"review","kind":"event","event_name":"review","points":10}]}"#
                ).status == 200)
            let created = try await client.call(
                .post, "/v1/customers", key: a,
                body:
                    #"{"email":"ann@example.com","first_name":"Ann","external_id":"ext-ann","phone":"+48 600 100 200"}"#
            )
            #expect(created.status == 201)
            let customer = try #require(created.object("customer")["id"] as? String)
            let ladder =
                #"{"tiers":{"qualification":{"metric":"spend","window":"lifetime"},"tiers":[{"id":"member","name":"Member","threshold":0},{"id":"gold","name":"Gold","threshold":1000}]},"rewards":[{"id":"mug","name":"Mug","kind":"free_product","sku":"MUG","points":50}]}"#
            #expect(try await client.call(.put, "/v1/program/configuration", key: a, body: ladder).status == 200)
            #expect(try await client.call(.post, "/v1/orders", key: a, body: Self.order).status == 201)
            #expect(
                try await client.call(
                    .post, "/v1/orders/O-1/returns", key: a,
                    body: #"{"return_id":"R-1","lines":[{"sku":"MUG","quantity":1}]}"#
                ).status == 201)
            let event = Self.event.replacingOccurrences(of: "CUSTOMER", with: customer)
            #expect(try await client.call(.post, "/v1/events", key: a, body: event).status == 201)
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
            let redeemed = try await client.call(
                .post, "/v1/customers/\(customer)/rewards", key: a, body: #"{"reward_id":"mug"}"#,
                headers: ["Idempotency-Key": "a-3"])
            #expect(redeemed.status == 201, "\(redeemed.text)")
            let code = try #require(redeemed.object("reward")["code"] as? String)
            let walletBefore = try await client.call(.get, "/v1/customers/\(customer)/wallet", key: a)
            #expect(walletBefore.int("balance") == 25 + 7 - (12 + 3) + 10 - 5 + 100 - 50)
            let rewardBefore = try await client.call(.get, "/v1/reward-codes/\(code)", key: a).text
            let ledgerBefore = try await client.call(.get, "/v1/customers/\(customer)/ledger", key: a).text
            let rulesBefore = try await client.call(.get, "/v1/earning-rules", key: a).text
            let orderBefore = try await client.call(.get, "/v1/orders/O-1", key: a).text
            let customerBefore = try await client.call(.get, "/v1/customers/\(customer)", key: a).text
            let tierBefore = try await client.call(.get, "/v1/customers/\(customer)/tier", key: a)
            #expect(tierBefore.string("tier_id") == "gold")
            let configurationBefore = try await client.call(.get, "/v1/program/configuration", key: a).text
            let analyticsBefore = try await client.call(.get, "/v1/analytics/summary", key: a)
            #expect(analyticsBefore.object("purchases")["purchases"] as? Int == 1)

            for probe in Self.probes(customer: customer, code: code) {
                let reply = try await client.call(
                    probe.method, probe.path, key: b, body: probe.body, headers: probe.headers)
                #expect(
                    probe.expected.contains(reply.status), "\(probe.testDescription): got \(reply.status) \(reply.text)"
                )
                if reply.status >= 400 { #expect(reply.isProblem, "\(probe.testDescription)") }
                if let field = probe.field { #expect(reply.fields == [field], "\(probe.testDescription)") }
                // Nothing of A's that B did not send itself comes back.
                let sent = probe.path + (probe.body ?? "")
                for secret in [customer, "ext-ann", "48600100200", "Ann\"", "welcome gift"] where !sent.contains(secret)
                {
                    #expect(!reply.text.contains(secret), "\(probe.testDescription) leaks \(secret)")
                }
            }

            // B's lists show only B's records; B's O-1 belongs to B's own Ann.
            let list = try await client.call(.get, "/v1/customers", key: b)
            let ownAnn = try #require(list.ids("customers").first)
            #expect(list.ids("customers") == [ownAnn])
            #expect(ownAnn != customer)
            #expect(
                try await client.call(.get, "/v1/customers?search=ann@example.com", key: b).ids("customers") == [ownAnn]
            )
            #expect(try await client.call(.get, "/v1/orders/O-1", key: b).string("customer_id") == ownAnn)
            for path in ["/v1/orders", "/v1/orders?status=recorded", "/v1/customers/\(ownAnn)/ledger"] {
                let reply = try await client.call(.get, path, key: b)
                #expect(reply.status == 200, "\(path)")
                #expect(!reply.text.contains(customer), "\(path) leaks A's customer id")
            }
            let rulesOfB = try await client.call(.get, "/v1/earning-rules", key: b)
            #expect(rulesOfB.ids("rules") == ["base"])
            #expect(try await client.call(.get, "/v1/program", key: b).string("id") == "other")

            // A is exactly as it was.
            #expect(
                try await client.call(.get, "/v1/customers/\(customer)/wallet", key: a).int("balance")
                    == walletBefore.int("balance"))
            #expect(try await client.call(.get, "/v1/customers/\(customer)/ledger", key: a).text == ledgerBefore)
            #expect(try await client.call(.get, "/v1/earning-rules", key: a).text == rulesBefore)
            #expect(try await client.call(.get, "/v1/orders/O-1", key: a).text == orderBefore)
            #expect(try await client.call(.get, "/v1/customers/\(customer)", key: a).text == customerBefore)
            #expect(try await client.call(.get, "/v1/customers/\(customer)/tier", key: a).text == tierBefore.text)
            #expect(try await client.call(.get, "/v1/program/configuration", key: a).text == configurationBefore)
            #expect(try await client.call(.get, "/v1/reward-codes/\(code)", key: a).text == rewardBefore)
            #expect(try await client.call(.get, "/v1/customers", key: a).ids("customers") == [customer])
            let analyticsAfter = try await client.call(.post, "/v1/analytics/refresh?force=true", key: a)
            #expect(
                analyticsAfter.object("purchases") as NSDictionary == analyticsBefore.object("purchases")
                    as NSDictionary)
            #expect(
                try await client.call(.get, "/v1/analytics/customers/\(customer)", key: a).object("customer")[
                    "transactions"] as? Int == 1)
        }
    }

    @Test("concurrent orders of two programs under the same order ids stay apart")
    func concurrentOrders() async throws {
        try await HTTPHarness.run { harness, client in
            let count = 24
            @Sendable func order(_ index: Int, _ who: String, total: Int) -> String {
                #"{"order_id":"C-\#(index)","customer":{"email":"\#(who)\#(index)@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":\#(total)}"#
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await client.call(
                            .post, "/v1/orders", key: harness.keyA, body: order(index, "a", total: 100)
                        ).status
                    }
                    group.addTask {
                        try await client.call(
                            .post, "/v1/orders", key: harness.keyB, body: order(index, "b", total: 200)
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 201, count: 2 * count))
            for index in 0..<count {
                let ofA = try await client.call(.get, "/v1/orders/C-\(index)", key: harness.keyA)
                let ofB = try await client.call(.get, "/v1/orders/C-\(index)", key: harness.keyB)
                #expect(ofA.object("order")["total"] as? Int == 100)
                #expect(ofB.object("order")["total"] as? Int == 200)
                #expect(
                    (ofA.object("order")["customer"] as? [String: Any])?["email"] as? String == "a\(index)@example.com")
                #expect(
                    (ofB.object("order")["customer"] as? [String: Any])?["email"] as? String == "b\(index)@example.com")
            }
            #expect(
                try await client.call(.get, "/v1/customers?limit=200", key: harness.keyA).ids("customers").count
                    == count)
            #expect(
                try await client.call(.get, "/v1/customers?limit=200", key: harness.keyB).ids("customers").count
                    == count)
        }
    }
}
