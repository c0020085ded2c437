import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainServices
import Testing

@Suite("keys, scopes and the served documents")
struct AuthAndDocumentHTTPTests {
    static let order =
        #"{"order_id":"S-1","customer":{"email":"sam@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":1000}"#
    static let rules =
        #"{"rules":[{"id":"forbidden","name":"x","kind":"points_per_amount","points":1,"per_amount":100}]}"#

    struct Attempt: Sendable, CustomTestStringConvertible {
        var scope: Scope
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var headers: [String: String] = [:]
        var expected: Int
        var testDescription: String { "\(scope) \(method) \(path) → \(expected)" }
    }

    /// What each scope may do (read < write < admin). `CUSTOMER` is replaced by an existing customer's id.
    static let attempts: [Attempt] = [
        Attempt(scope: .read, method: .get, path: "/v1/customers", expected: 200),
        Attempt(scope: .read, method: .get, path: "/v1/program", expected: 200),
        Attempt(scope: .read, method: .post, path: "/v1/orders/simulate", body: order, expected: 200),
        Attempt(scope: .read, method: .post, path: "/v1/orders", body: order, expected: 403),
        Attempt(scope: .read, method: .post, path: "/v1/customers", body: #"{"email":"r@example.com"}"#, expected: 403),
        Attempt(
            scope: .read, method: .post, path: "/v1/customers/CUSTOMER/redemptions", body: #"{"points":1}"#,
            headers: ["Idempotency-Key": "r"], expected: 403),
        Attempt(scope: .read, method: .put, path: "/v1/earning-rules", body: rules, expected: 403),
        Attempt(scope: .write, method: .post, path: "/v1/orders", body: order, expected: 201),
        Attempt(
            scope: .write, method: .post, path: "/v1/customers", body: #"{"email":"w@example.com"}"#, expected: 201),
        Attempt(scope: .write, method: .put, path: "/v1/earning-rules", body: rules, expected: 403),
        Attempt(
            scope: .write, method: .post, path: "/v1/earning-rules",
            body: #"{"id":"forbidden","name":"x","kind":"order_bonus","points":1}"#, expected: 403),
        Attempt(scope: .write, method: .delete, path: "/v1/earning-rules/base", expected: 403),
        Attempt(scope: .write, method: .patch, path: "/v1/program", body: #"{"name":"Taken over"}"#, expected: 403),
        Attempt(scope: .write, method: .post, path: "/v1/expiry/run", expected: 403),
        Attempt(
            scope: .write, method: .post, path: "/v1/customers/CUSTOMER/adjustments",
            body: #"{"points":1000,"reason":"I am the till"}"#, headers: ["Idempotency-Key": "w"], expected: 403),
        Attempt(
            scope: .admin, method: .put, path: "/v1/earning-rules/base",
            body: #"{"name":"base","kind":"order_bonus","points":1}"#, expected: 200),
        Attempt(scope: .admin, method: .patch, path: "/v1/program", body: #"{"name":"Renamed"}"#, expected: 200),
        Attempt(scope: .admin, method: .post, path: "/v1/expiry/run", expected: 200),
        Attempt(
            scope: .admin, method: .post, path: "/v1/customers/CUSTOMER/adjustments",
            body: #"{"points":3,"reason":"goodwill"}"#, headers: ["Idempotency-Key": "adm"], expected: 201),
    ]

    @Test("a key's scope limits what it may do, and a refusal writes nothing")
    func scopes() async throws {
        try await HTTPHarness.run { harness, client in
            let admin = harness.administration
            var keys: [Scope: String] = [:]
            for scope in Scope.allCases {
                keys[scope] = try await admin.createKey(program: "default", name: "\(scope)", scope: scope).secret
            }
            let created = try await client.call(
                .post, "/v1/customers", key: harness.keyA, body: #"{"email":"c@example.com"}"#)
            let customer = try #require(created.object("customer")["id"] as? String)
            for attempt in Self.attempts {
                let reply = try await client.call(
                    attempt.method, attempt.path.replacingOccurrences(of: "CUSTOMER", with: customer),
                    key: keys[attempt.scope], body: attempt.body, headers: attempt.headers)
                #expect(reply.status == attempt.expected, "\(attempt.testDescription): \(reply.text)")
                if attempt.expected == 403 {
                    #expect(reply.isProblem, "\(attempt.testDescription)")
                    #expect(reply.string("detail")?.contains("scope \(attempt.scope.rawValue)") == true)
                }
            }
            let rules = try await client.call(.get, "/v1/earning-rules", key: harness.keyA)
            #expect(rules.ids("rules") == ["base"])
            let wallet = try await client.call(.get, "/v1/customers/\(customer)/wallet", key: harness.keyA)
            #expect(wallet.int("balance") == 3)
            #expect(try await client.call(.get, "/v1/program", key: harness.keyA).string("name") == "Renamed")
            let emails = try await client.call(.get, "/v1/customers", key: harness.keyA).json["customers"]
            #expect(
                Set((emails as? [[String: Any]] ?? []).compactMap { $0["email"] as? String })
                    == ["c@example.com", "w@example.com", "sam@example.com"])
        }
    }

    @Test("requests without a valid key get a 401 problem that asks for a bearer key")
    func unauthenticated() async throws {
        try await HTTPHarness.run { harness, client in
            let doomed = try await harness.administration.createKey(program: "default", name: "doomed", scope: .admin)
            // Revoked before its first use: the 5-second authentication cache has not seen it.
            try await harness.administration.revokeKey(id: doomed.key.id)
            let headers: [(String, [String: String])] = [
                ("no header", [:]),
                ("unknown key", ["Authorization": "Bearer rtn_NOTAKEY"]),
                ("revoked key", ["Authorization": "Bearer \(doomed.secret)"]),
                ("another scheme", ["Authorization": "Basic \(harness.keyA)"]),
                ("scheme only", ["Authorization": "Bearer"]),
                ("key without scheme", ["Authorization": harness.keyA]),
            ]
            for (name, header) in headers {
                for path in ["/v1/customers", "/v1/program", "/v1/orders/anything"] {
                    let reply = try await client.call(.get, path, key: nil, headers: header)
                    #expect(reply.status == 401, "\(name) \(path)")
                    #expect(reply.isProblem, "\(name) \(path)")
                    #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(name)")
                }
            }
            let write = try await client.call(.post, "/v1/orders", key: doomed.secret, body: Self.order)
            #expect(write.status == 401)
            #expect(try await client.call(.get, "/v1/orders/S-1", key: harness.keyA).status == 404)
            // The scheme is case-insensitive (RFC 9110 §11.1).
            let lower = try await client.call(
                .get, "/v1/program", key: nil, headers: ["Authorization": "bearer \(harness.keyA)"])
            #expect(lower.status == 200)
        }
    }

    /// Every operation the router serves; the OpenAPI document must describe exactly these.
    static let routedOperations: Set<String> = [
        "GET /health", "GET /metrics", "GET /openapi.json",
        "POST /v1/customers", "GET /v1/customers", "GET /v1/customers/{id}", "PATCH /v1/customers/{id}",
        "GET /v1/customers/{id}/wallet", "GET /v1/customers/{id}/ledger", "POST /v1/customers/{id}/redemptions",
        "POST /v1/customers/{id}/adjustments",
        "POST /v1/orders", "GET /v1/orders", "POST /v1/orders/simulate", "GET /v1/orders/{order_id}",
        "POST /v1/orders/{order_id}/returns", "POST /v1/orders/{order_id}/assign", "POST /v1/events",
        "GET /v1/program", "PATCH /v1/program", "GET /v1/earning-rules", "POST /v1/earning-rules",
        "PUT /v1/earning-rules", "PUT /v1/earning-rules/{id}", "DELETE /v1/earning-rules/{id}", "POST /v1/expiry/run",
        "GET /v1/program/configuration", "PUT /v1/program/configuration", "GET /v1/program/configuration/versions",
        "GET /v1/tiers", "GET /v1/customers/{id}/tier", "PUT /v1/customers/{id}/tier-override", "GET /v1/stamp-cards",
        "GET /v1/customers/{id}/stamp-cards", "GET /v1/rewards", "POST /v1/customers/{id}/rewards",
        "GET /v1/customers/{id}/rewards", "GET /v1/reward-codes/{code}", "POST /v1/reward-codes/{code}/use",
        "POST /v1/reward-codes/{code}/cancel", "GET /v1/expiring-points", "GET /v1/reports/liability",
        "POST /v1/program/dry-run", "GET /v1/analytics/summary", "GET /v1/analytics/cohorts", "GET /v1/analytics/rfm",
        "GET /v1/analytics/at-risk", "GET /v1/analytics/customers/{id}", "POST /v1/analytics/refresh",
    ]

    @Test("the OpenAPI document describes exactly the operations the router serves")
    func documentMatchesRoutes() async throws {
        try await HTTPHarness.run { harness, client in
            let document = try await client.call(.get, "/openapi.json", key: nil)
            #expect(document.status == 200)
            #expect(document.contentType == "application/json")
            #expect(document.string("openapi")?.hasPrefix("3.1") == true)
            let paths = try #require(document.json["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, methods) in paths {
                for method in methods.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            #expect(documented.subtracting(Self.routedOperations).isEmpty, "documented but not routed")
            #expect(Self.routedOperations.subtracting(documented).isEmpty, "routed but not documented")
            for operation in Self.routedOperations.sorted() {
                let parts = operation.split(separator: " ")
                let concrete = parts[1].replacingOccurrences(of: "{id}", with: "cus_x")
                    .replacingOccurrences(of: "{order_id}", with: "o-x")
                let reply = try await client.call(
                    HTTPRequest.Method(String(parts[0]))!, concrete, key: harness.keyA,
                    body: parts[0] == "GET" || parts[0] == "DELETE" ? nil : "{}")
                #expect(reply.string("detail")?.contains("no such endpoint") != true, "\(operation) is not routed")
            }
        }
    }
}
