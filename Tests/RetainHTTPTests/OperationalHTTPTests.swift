import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainHTTP
import RetainServices
import Testing

/// `/health`, `/metrics` and `/openapi.json` need no key; the whole stack also works behind a real socket.
@Suite("operational endpoints and the live server")
struct OperationalHTTPTests {
    struct Unreachable: Error {}

    @Test("health, metrics and the OpenAPI document need no key")
    func withoutKey() async throws {
        try await HTTPHarness.run { _, client in
            let health = try await client.call(.get, "/health", key: nil)
            #expect(health.status == 200)
            #expect(health.contentType == "application/json")
            #expect(health.string("status") == "ok")
            #expect(health.string("database") == "ok")
            let metrics = try await client.call(.get, "/metrics", key: nil)
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain") == true)
            let document = try await client.call(.get, "/openapi.json", key: nil)
            #expect(document.status == 200)
            #expect(document.string("openapi")?.hasPrefix("3.1") == true)
        }
    }

    @Test("/metrics serves what the renderer gives, in Prometheus text format")
    func metricsRenderer() async throws {
        let exposition = "# TYPE retain_orders_total counter\nretain_orders_total{outcome=\"recorded\"} 3\n"
        try await HTTPHarness.run(configure: { $0.renderMetrics = { exposition } }) { _, client in
            let metrics = try await client.call(.get, "/metrics", key: nil)
            #expect(metrics.status == 200)
            #expect(metrics.contentType == "text/plain; version=0.0.4")
            #expect(metrics.text == exposition)
        }
    }

    @Test("/health answers 503 when the database cannot be reached")
    func healthUnavailable() async throws {
        try await HTTPHarness.run(configure: { $0.healthCheck = { throw Unreachable() } }) { harness, client in
            let health = try await client.call(.get, "/health", key: nil)
            #expect(health.status == 503)
            #expect(health.string("status") == "unavailable")
            #expect(health.string("database") == "unreachable")
            // The API itself is not behind the health check.
            #expect(try await client.call(.get, "/v1/program", key: harness.keyA).status == 200)
        }
    }

    @Test("the same stack through a live server: health, an order, its retry, a conflict and a problem")
    func live() async throws {
        try await HTTPHarness.run(.live) { harness, client in
            let health = try await client.call(.get, "/health", key: nil)
            #expect(health.status == 200)
            #expect(health.string("database") == "ok")
            #expect(
                try await client.call(
                    .put, "/v1/earning-rules", key: harness.keyA,
                    body:
                        #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100}]}"#
                ).status == 200)
            let order =
                #"{"order_id":"L-1","customer":{"phone":"+48 600 100 200"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":2599}"#
            let first = try await client.call(.post, "/v1/orders", key: harness.keyA, body: order)
            #expect(first.status == 201)
            #expect(first.int("points_earned") == 25)
            #expect(first.json["customer_created"] as? Bool == true)
            let again = try await client.call(.post, "/v1/orders", key: harness.keyA, body: order)
            #expect(again.status == 201)
            #expect(first.text == again.text)
            let conflict = try await client.call(
                .post, "/v1/orders", key: harness.keyA, body: order.replacingOccurrences(of: "2599", with: "2600"))
            #expect(conflict.status == 409)
            #expect(conflict.isProblem)
            let customer = try #require(first.string("customer_id"))
            #expect(
                try await client.call(.get, "/v1/customers/\(customer)/wallet", key: harness.keyA).int("balance") == 25)
            let unauthorized = try await client.call(.get, "/v1/customers", key: nil)
            #expect(unauthorized.status == 401)
            #expect(unauthorized.isProblem)
            #expect(try await client.call(.get, "/metrics", key: nil).status == 200)
        }
    }
}
