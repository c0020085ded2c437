import Foundation
import HTTPTypes
import RetainCore
import RetainServices
import Testing

@Suite("held orders over HTTP")
struct HeldOrdersHTTPTests {
    @Test("orders for unknown contacts are held, listed as unmatched, and assigned once")
    func holdListAssign() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            #expect(
                try await client.call(
                    .patch, "/v1/program", key: key, body: #"{"settings":{"unknown_customer":"hold"}}"#
                ).status == 200)
            #expect(
                try await client.call(
                    .put, "/v1/earning-rules", key: key,
                    body:
                        #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100}]}"#
                ).status == 200)
            for index in 1...3 {
                let order =
                    #"{"order_id":"H-\#(index)","customer":{"email":"guest\#(index)@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":1500}"#
                let held = try await client.call(.post, "/v1/orders", key: key, body: order)
                #expect(held.string("status") == "unmatched")
                #expect(held.int("points_earned") == 0)
            }
            let firstPage = try await client.call(.get, "/v1/orders?status=unmatched&limit=2", key: key)
            let firstIDs = (firstPage.json["orders"] as? [[String: Any]] ?? []).compactMap {
                ($0["order"] as? [String: Any])?["order_id"] as? String
            }
            #expect(firstIDs == ["H-1", "H-2"])
            let cursor = try #require(firstPage.string("next_after"))
            let secondPage = try await client.call(
                .get, "/v1/orders?status=unmatched&limit=2&after=\(cursor)", key: key)
            #expect((secondPage.json["orders"] as? [Any])?.count == 1)
            #expect(try await client.call(.get, "/v1/orders?status=lost", key: key).fields == ["status"])

            let customer = try await client.call(
                .post, "/v1/customers", key: key, body: #"{"email":"guest1@example.com"}"#)
            let id = try #require(customer.object("customer")["id"] as? String)
            let assigned = try await client.call(
                .post, "/v1/orders/H-1/assign", key: key, body: #"{"customer_id":"\#(id)"}"#)
            #expect(assigned.status == 200)
            #expect(assigned.int("points_earned") == 15)
            #expect(assigned.object("wallet")["balance"] as? Int == 15)
            let again = try await client.call(
                .post, "/v1/orders/H-1/assign", key: key, body: #"{"customer_id":"\#(id)"}"#)
            #expect(again.object("wallet")["balance"] as? Int == 15)
            let other = try await client.call(
                .post, "/v1/customers", key: key, body: #"{"email":"guest2@example.com"}"#)
            let otherID = try #require(other.object("customer")["id"] as? String)
            #expect(
                try await client.call(.post, "/v1/orders/H-1/assign", key: key, body: #"{"customer_id":"\#(otherID)"}"#)
                    .status == 409)
            #expect(
                try await client.call(.post, "/v1/orders/H-2/assign", key: key, body: #"{"customer_id":"cus_nobody"}"#)
                    .fields == ["customer_id"])
            let remaining = try await client.call(.get, "/v1/orders?status=unmatched", key: key)
            #expect((remaining.json["orders"] as? [Any])?.count == 2)
        }
    }
}
