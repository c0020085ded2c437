import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainServices
import Testing

/// `/v1/analytics/…` over the program's own orders: the numbers, the cache between computations, refresh on
/// demand, one customer's scores, and bad input.
@Suite struct AnalyticsHTTPTests {
    /// Customer `i` (of 30) buys `i % 4 + 1` times, 9 days apart from day `i` of 2026, for 10.00 + i + 2 × k EUR.
    struct Purchase {
        var customer: Int
        var orderID: String
        var day: Int
        var cents: Int
    }

    static let purchases: [Purchase] = (0..<30).flatMap { customer in
        (0..<(customer % 4 + 1)).map { k in
            Purchase(
                customer: customer, orderID: "A-\(customer)-\(k)", day: customer + 9 * k,
                cents: 1_000 + 100 * customer + 200 * k)
        }
    }

    static func orderBody(_ purchase: Purchase) -> String {
        let placed = Date(timeIntervalSince1970: 1_767_225_600 + Double(purchase.day) * 86_400 + 36_000)
        return """
            {"order_id":"\(purchase.orderID)","customer":{"email":"c\(purchase.customer)@example.com"},\
            "placed_at":"\(RFC3339.string(placed))","currency":"EUR","total":\(purchase.cents)}
            """
    }

    static func load(_ client: some TestClientProtocol, key: String) async throws {
        for purchase in purchases {
            let reply = try await client.call(.post, "/v1/orders", key: key, body: orderBody(purchase))
            #expect(reply.status == 201, "\(reply.text)")
        }
    }

    @Test("the summary counts the program's orders: customers, purchases, revenue net of returns, repeat buyers")
    func summary() async throws {
        try await HTTPHarness.run { harness, client in
            try await Self.load(client, key: harness.keyA)
            // Half of c29's last order comes back: it counts at what was kept.
            let last = Self.purchases.last!
            let returned = try await client.call(
                .post, "/v1/orders/\(last.orderID)/returns", key: harness.keyA,
                body: #"{"return_id":"R-1","amount":\#(last.cents / 2)}"#)
            #expect(returned.status == 201, "\(returned.text)")

            let reply = try await client.call(.get, "/v1/analytics/summary", key: harness.keyA)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.contentType == "application/json")
            #expect(reply.string("program_id") == "default")
            let counts = reply.object("purchases")
            #expect(counts["orders"] as? Int == Self.purchases.count)
            #expect(counts["purchases"] as? Int == Self.purchases.count)
            #expect(counts["partly_returned"] as? Int == 1)
            #expect(counts["customers"] as? Int == 30)
            let summary = reply.object("summary")
            #expect(summary["customers"] as? Int == 30)
            #expect(summary["transactions"] as? Int == Self.purchases.count)
            let revenue = Double(Self.purchases.map(\.cents).reduce(0, +) - last.cents / 2) / 100
            #expect(abs((summary["revenue"] as? Double ?? 0) - revenue) < 1e-9)
            // Customers with i % 4 ≠ 0 bought more than once: 30 − 8.
            #expect(summary["repeat_customers"] as? Int == 22)
            #expect(((reply.json["periods"] as? [String: Any])?["periods"] as? [Any])?.isEmpty == false)
            #expect(reply.json["models"] is [String: Any])
            #expect(reply.string("computed_at") != nil)

            let cohorts = try await client.call(.get, "/v1/analytics/cohorts", key: harness.keyA)
            #expect(cohorts.status == 200)
            #expect(cohorts.string("computed_at") == reply.string("computed_at"), "one computation serves both")
            let rfm = try await client.call(.get, "/v1/analytics/rfm", key: harness.keyA).object("rfm")
            let segments = rfm["segments"] as? [[String: Any]] ?? []
            #expect(segments.map { $0["customers"] as? Int ?? 0 }.reduce(0, +) == 30)
            let atRisk = try await client.call(.get, "/v1/analytics/at-risk?limit=5", key: harness.keyA)
            #expect(atRisk.status == 200)
            #expect((atRisk.json["customers"] as? [Any])?.count ?? 99 <= 5)
        }
    }

    @Test("answers come from the last computation until a refresh, which recomputes only when orders changed")
    func cacheAndRefresh() async throws {
        try await HTTPHarness.run { harness, client in
            try await Self.load(client, key: harness.keyA)
            let first = try await client.call(.get, "/v1/analytics/summary", key: harness.keyA)
            let extra = Purchase(customer: 0, orderID: "A-extra", day: 100, cents: 5_000)
            #expect(
                try await client.call(.post, "/v1/orders", key: harness.keyA, body: Self.orderBody(extra)).status == 201
            )

            let cached = try await client.call(.get, "/v1/analytics/summary", key: harness.keyA)
            #expect(cached.string("computed_at") == first.string("computed_at"))
            #expect(cached.object("summary")["transactions"] as? Int == Self.purchases.count)

            let refreshed = try await client.call(.post, "/v1/analytics/refresh", key: harness.keyA)
            #expect(refreshed.status == 200, "\(refreshed.text)")
            #expect(refreshed.json["recomputed"] as? Bool == true)
            let after = try await client.call(.get, "/v1/analytics/summary", key: harness.keyA)
            #expect(after.object("summary")["transactions"] as? Int == Self.purchases.count + 1)
            #expect(after.string("computed_at") == refreshed.string("computed_at"))

            let unchanged = try await client.call(.post, "/v1/analytics/refresh", key: harness.keyA)
            #expect(unchanged.json["recomputed"] as? Bool == false)
            #expect(unchanged.string("computed_at") == refreshed.string("computed_at"))
            let forced = try await client.call(.post, "/v1/analytics/refresh?force=true", key: harness.keyA)
            #expect(forced.json["recomputed"] as? Bool == true)
        }
    }

    @Test("one customer's scores and predictions, found by id or e-mail; null without purchases; 404 when unknown")
    func customer() async throws {
        try await HTTPHarness.run { harness, client in
            try await Self.load(client, key: harness.keyA)
            let reply = try await client.call(.get, "/v1/analytics/customers/email:c3@example.com", key: harness.keyA)
            #expect(reply.status == 200, "\(reply.text)")
            let customer = reply.object("customer")
            // c3 bought on days 3, 12, 21, 30; the log ends with the last purchase of anyone.
            let lastDay = Double(Self.purchases.map(\.day).max()!)
            #expect(customer["transactions"] as? Int == 4)
            #expect(customer["frequency"] as? Double == 3)
            #expect(abs((customer["recency"] as? Double ?? 0) - 27.0 / 7) < 1e-12)
            #expect(abs((customer["age"] as? Double ?? 0) - (lastDay - 3) / 7) < 1e-12)
            #expect(abs((customer["monetary"] as? Double ?? 0) - (15 + 17 + 19) / 3.0) < 1e-9)
            #expect((1...5).contains(customer["r_score"] as? Int ?? 0))
            #expect(customer["segment"] is String && customer["stage"] as? String == "repeat")
            let id = try #require(reply.string("customer_id"))
            #expect(id.hasPrefix("cus_"))
            let byID = try await client.call(.get, "/v1/analytics/customers/\(id)", key: harness.keyA)
            #expect(byID.object("customer")["frequency"] as? Double == 3)

            let created = try await client.call(
                .post, "/v1/customers", key: harness.keyA, body: #"{"email":"new@example.com"}"#)
            let newID = try #require(created.object("customer")["id"] as? String)
            let fresh = try await client.call(.get, "/v1/analytics/customers/\(newID)", key: harness.keyA)
            #expect(fresh.status == 200)
            #expect(fresh.json["customer"] is NSNull)
            #expect((fresh.json["notes"] as? [String])?.isEmpty == false)

            let unknown = try await client.call(.get, "/v1/analytics/customers/cus_nobody", key: harness.keyA)
            #expect(unknown.status == 404 && unknown.isProblem)
        }
    }

    @Test("a program without orders gets an empty analysis with a note, not an error")
    func emptyProgram() async throws {
        try await HTTPHarness.run { harness, client in
            try await Self.load(client, key: harness.keyA)
            for path in ["summary", "cohorts", "rfm", "at-risk"] {
                let reply = try await client.call(.get, "/v1/analytics/\(path)", key: harness.keyB)
                #expect(reply.status == 200, "\(path): \(reply.text)")
                #expect(reply.string("program_id") == "other")
                #expect(reply.object("purchases")["orders"] as? Int == 0)
                #expect((reply.json["notes"] as? [String])?.first?.contains("no purchases") == true, "\(path)")
                let part = ["summary": "summary", "cohorts": "cohorts", "rfm": "rfm", "at-risk": "customers"][path]!
                #expect(reply.json.keys.contains(part), "\(path) names its part even when empty")
            }
        }
    }

    @Test("bad parameters are 422 problems and refreshing needs a write key")
    func badInput() async throws {
        try await HTTPHarness.run { harness, client in
            for path in ["/v1/analytics/at-risk?limit=0", "/v1/analytics/at-risk?limit=abc"] {
                let reply = try await client.call(.get, path, key: harness.keyA)
                #expect(reply.status == 422 && reply.isProblem && reply.fields == ["limit"], "\(path)")
            }
            let force = try await client.call(.post, "/v1/analytics/refresh?force=maybe", key: harness.keyA)
            #expect(force.status == 422 && force.fields == ["force"])
            let reader = try await harness.administration.createKey(program: "default", name: "r", scope: .read)
            #expect(try await client.call(.get, "/v1/analytics/summary", key: reader.secret).status == 200)
            let refused = try await client.call(.post, "/v1/analytics/refresh", key: reader.secret)
            #expect(refused.status == 403 && refused.isProblem)
            #expect(try await client.call(.get, "/v1/analytics/summary", key: nil).status == 401)
        }
    }
}
