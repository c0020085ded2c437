import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The catalogue over HTTP: redeem once per key, look the code up, use it at the till once, refuse a cancel after.
@Suite("rewards over HTTP")
struct RewardsHTTPTests {
    @Test("redeem, look up, use and cancel reward codes")
    func rewards() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            let configuration =
                #"{"rewards":[{"id":"mug","name":"Retain mug","kind":"free_product","sku":"MUG","points":300,"stock":5},{"id":"tenner","name":"10.00 off","kind":"money_off","value":1000,"points":1000}]}"#
            #expect(
                try await client.call(.put, "/v1/program/configuration", key: key, body: configuration).status == 200)
            let bad = try await client.call(
                .put, "/v1/program/configuration", key: key,
                body: #"{"rewards":[{"id":"x","name":"X","kind":"money_off","points":-1}]}"#)
            #expect(bad.status == 422 && bad.fields == ["rewards[0].points", "rewards[0].value"])

            let created = try await client.call(.post, "/v1/customers", key: key, body: #"{"email":"fay@example.com"}"#)
            let customer = try #require(created.object("customer")["id"] as? String)
            _ = try await client.call(
                .post, "/v1/customers/\(customer)/adjustments", key: key, body: #"{"points":500,"reason":"welcome"}"#,
                headers: ["Idempotency-Key": "adj-1"])

            let noKey = try await client.call(
                .post, "/v1/customers/\(customer)/rewards", key: key, body: #"{"reward_id":"mug"}"#)
            #expect(noKey.status == 422 && noKey.fields == ["Idempotency-Key"])
            let tooDear = try await client.call(
                .post, "/v1/customers/\(customer)/rewards", key: key, body: #"{"reward_id":"tenner"}"#,
                headers: ["Idempotency-Key": "r-0"])
            #expect(tooDear.status == 422 && tooDear.string("code") == "insufficient_points")
            let redeemed = try await client.call(
                .post, "/v1/customers/\(customer)/rewards", key: key, body: #"{"reward_id":"mug"}"#,
                headers: ["Idempotency-Key": "r-1"])
            #expect(redeemed.status == 201)
            #expect(redeemed.object("wallet")["balance"] as? Int == 200)
            let code = try #require(redeemed.object("reward")["code"] as? String)
            let retry = try await client.call(
                .post, "/v1/customers/\(customer)/rewards", key: key, body: #"{"reward_id":"mug"}"#,
                headers: ["Idempotency-Key": "r-1"])
            #expect(retry.text == redeemed.text)

            let loose = code.lowercased().replacingOccurrences(of: "-", with: "")
            #expect(try await client.call(.get, "/v1/reward-codes/\(loose)", key: key).string("status") == "issued")
            let used = try await client.call(
                .post, "/v1/reward-codes/\(code)/use", key: key, body: #"{"order_id":"POS-1"}"#)
            #expect(used.status == 200 && used.string("status") == "used" && used.string("order_id") == "POS-1")
            let other = try await client.call(
                .post, "/v1/reward-codes/\(code)/use", key: key, body: #"{"order_id":"POS-2"}"#)
            #expect(other.status == 409 && other.isProblem)
            let cancel = try await client.call(.post, "/v1/reward-codes/\(code)/cancel", key: key)
            #expect(cancel.status == 422 && cancel.string("code") == "reward_used")
            #expect(try await client.call(.get, "/v1/reward-codes/NOPE-NOPE-NOPE", key: key).status == 404)

            let list = try await client.call(.get, "/v1/customers/\(customer)/rewards", key: key)
            #expect((list.json["rewards"] as? [[String: Any]])?.count == 1)
            let catalogue = try await client.call(.get, "/v1/rewards", key: key)
            let first = (catalogue.json["rewards"] as? [[String: Any]])?.first
            #expect(first?["issued"] as? Int == 1 && first?["stock_left"] as? Int == 4)

            let liability = try await client.call(.get, "/v1/reports/liability", key: key)
            #expect(liability.int("outstanding_points") == 200 && liability.int("non_expiring_points") == 200)
            let badWindow = try await client.call(.get, "/v1/expiring-points?within_days=0", key: key)
            #expect(badWindow.status == 422 && badWindow.fields == ["within_days"])
            let none = try await client.call(.get, "/v1/expiring-points", key: key)
            #expect(none.int("within_days") == 30 && (none.json["customers"] as? [Any])?.isEmpty == true)
        }
    }
}
