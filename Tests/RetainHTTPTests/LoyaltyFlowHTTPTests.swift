import Foundation
import HTTPTypes
import RetainCore
import RetainServices
import Testing

@Suite("a loyalty day over HTTP")
struct LoyaltyFlowHTTPTests {
    @Test("rules, customer, order, retry, simulate, return, redemption, paging, PATCH")
    func flow() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            #expect(
                try await client.call(
                    .put, "/v1/earning-rules", key: key,
                    body:
                        #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100},{"id":"mugs","name":"Double mugs","kind":"multiplier","factor":2,"conditions":{"categories":["mugs"]}},{"id":"welcome","name":"Welcome","kind":"signup_bonus","points":50}]}"#
                ).status == 200)
            let created = try await client.call(
                .post, "/v1/customers", key: key,
                body: #"{"email":"Ann@Example.com","first_name":"Ann","phone":"+48 600 100 200","tags":["vip"]}"#)
            #expect(created.status == 201)
            let id = try #require(created.object("customer")["id"] as? String)
            #expect(created.object("wallet")["balance"] as? Int == 50)

            // 2 mugs at 12.50 (doubled: 50) + tea 4.99 (4) = 54 points.
            let order =
                #"{"order_id":"A-1","customer":{"email":"ann@example.com"},"placed_at":"2026-01-13T10:00:00Z","currency":"EUR","lines":[{"sku":"MUG","category":"mugs","quantity":2,"unit_price":1250},{"sku":"TEA","quantity":1,"unit_price":499}]}"#
            let ledgerBefore = try await client.call(.get, "/v1/customers/\(id)/ledger", key: key).text
            let walletBefore = try await client.call(.get, "/v1/customers/\(id)/wallet", key: key).text
            let simulated = try await client.call(.post, "/v1/orders/simulate", key: key, body: order)
            #expect(simulated.status == 200)
            #expect(simulated.int("points_earned") == 54)
            #expect(simulated.int("total") == 2999)
            #expect(try await client.call(.get, "/v1/customers/\(id)/ledger", key: key).text == ledgerBefore)
            #expect(try await client.call(.get, "/v1/customers/\(id)/wallet", key: key).text == walletBefore)
            #expect(try await client.call(.get, "/v1/orders/A-1", key: key).status == 404)
            let first = try await client.call(.post, "/v1/orders", key: key, body: order)
            #expect(first.status == 201)
            #expect(first.int("points_earned") == 54)
            #expect(first.string("customer_id") == id)
            #expect(first.object("wallet")["balance"] as? Int == 50 + 54)
            let retry = try await client.call(.post, "/v1/orders", key: key, body: order)
            #expect(retry.status == 201)
            #expect(retry.text == first.text)
            let changed = try await client.call(
                .post, "/v1/orders", key: key,
                body: order.replacingOccurrences(of: #""quantity":2"#, with: #""quantity":3"#))
            #expect(changed.status == 409)
            #expect(changed.isProblem)
            #expect(try await client.call(.get, "/v1/orders/A-1", key: key).int("points_earned") == 54)

            // The rule's 54 points are attributed to lines by largest remainder over their exact values 50.00 and
            // 4.99: mugs 49 (49.099…), tea 5 (4.900… + the leftover point). One mug of two back: ⌊49 × 1 / 2⌋ = 24.
            let returned = try await client.call(
                .post, "/v1/orders/A-1/returns", key: key,
                body: #"{"return_id":"R-1","lines":[{"sku":"MUG","quantity":1}]}"#)
            #expect(returned.status == 201)
            #expect(returned.object("return")["points_reversed"] as? Int == 24)
            let tooMany = try await client.call(
                .post, "/v1/orders/A-1/returns", key: key,
                body: #"{"return_id":"R-2","lines":[{"sku":"MUG","quantity":2}]}"#)
            #expect(tooMany.status == 422)
            #expect(tooMany.fields == ["lines[0].quantity"])

            let wallet = try await client.call(.get, "/v1/customers/\(id)/wallet", key: key)
            #expect(wallet.int("balance") == 50 + 54 - 24)
            let redeemed = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":40,"order_total":3000}"#,
                headers: ["Idempotency-Key": "k-1"])
            #expect(redeemed.status == 201)
            #expect(redeemed.int("amount") == 40)
            let replay = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":40,"order_total":3000}"#,
                headers: ["Idempotency-Key": "k-1"])
            #expect(replay.text == redeemed.text)
            let reused = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":41,"order_total":3000}"#,
                headers: ["Idempotency-Key": "k-1"])
            #expect(reused.status == 409)
            #expect(try await client.call(.get, "/v1/customers/\(id)/wallet", key: key).int("balance") == 80 - 40)
            let tooMuch = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":41}"#,
                headers: ["Idempotency-Key": "k-2"])
            #expect(tooMuch.status == 422)
            #expect(tooMuch.isProblem)
            #expect(tooMuch.string("code") == "insufficient_points")
            #expect(try await client.call(.get, "/v1/customers/\(id)/wallet", key: key).int("balance") == 40)

            // Ledger paging: 4 entries (welcome, order, reverse, redeem), two per page.
            let page1 = try await client.call(.get, "/v1/customers/\(id)/ledger?limit=2", key: key)
            let cursor = try #require(page1.string("next_before"))
            let page2 = try await client.call(.get, "/v1/customers/\(id)/ledger?limit=2&before=\(cursor)", key: key)
            let ids1 = (page1.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            let ids2 = (page2.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids1.count == 2 && ids2.count == 2)
            #expect(Set(ids1).isDisjoint(with: ids2))
            #expect(page2.string("next_before") == nil)

            let patched = try await client.call(
                .patch, "/v1/customers/\(id)", key: key, body: #"{"phone":null,"last_name":"Kowalska"}"#)
            #expect(patched.status == 200)
            #expect(patched.object("customer")["phone"] == nil)
            #expect(patched.object("customer")["last_name"] as? String == "Kowalska")
            let byEmail = try await client.call(.get, "/v1/customers/email:ANN@example.com", key: key)
            #expect(byEmail.object("customer")["id"] as? String == id)
            let search = try await client.call(.get, "/v1/customers?search=ann@example.com", key: key)
            #expect(search.ids("customers") == [id])

            // Customer paging: `limit`, then `after` = `next_after` until it is absent.
            for index in 1...4 {
                #expect(
                    try await client.call(
                        .post, "/v1/customers", key: key, body: #"{"email":"c\#(index)@example.com"}"#
                    )
                    .status == 201)
            }
            var seen: [String] = []
            var after: String? = nil
            var pages = 0
            repeat {
                let page = try await client.call(
                    .get, "/v1/customers?limit=2" + (after.map { "&after=\($0)" } ?? ""), key: key)
                #expect(page.ids("customers").count <= 2)
                seen += page.ids("customers")
                after = page.string("next_after")
                pages += 1
            } while after != nil && pages < 10
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            #expect(seen == seen.sorted())
            #expect(seen.contains(id))
        }
    }
}
