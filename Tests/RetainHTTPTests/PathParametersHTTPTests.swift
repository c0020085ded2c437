import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainServices
import Testing

/// Ids in the path are percent-decoded: shops name orders `#1001`, e-mails carry `+` and `@`, and a client that
/// encodes them (as it must for `#`, `/`, spaces and non-ASCII) reaches the same record.
@Suite("ids in the path over HTTP")
struct PathParametersHTTPTests {
    static func encoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test("orders, customers and rules are found by their percent-encoded ids")
    func percentEncodedIDs() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            let orderID = "#1001/zamówienie 7"
            let customer = try await client.call(
                .post, "/v1/customers", key: key,
                body: #"{"email":"ann+shop@example.com","external_id":"ext 1/ü","card_number":"CARD-1"}"#)
            let id = try #require(customer.object("customer")["id"] as? String)
            let order =
                ##"{"order_id":"\##(orderID)","customer":{"customer_id":"\##(id)"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","lines":[{"sku":"MUG","quantity":2,"unit_price":1250}]}"##
            #expect(try await client.call(.post, "/v1/orders", key: key, body: order).status == 201)

            let path = "/v1/orders/\(Self.encoded(orderID))"
            let fetched = try await client.call(.get, path, key: key)
            #expect(fetched.status == 200, "\(fetched.text)")
            #expect(fetched.object("order")["order_id"] as? String == orderID)
            let returned = try await client.call(
                .post, path + "/returns", key: key, body: #"{"return_id":"R-1","lines":[{"sku":"MUG","quantity":1}]}"#)
            #expect(returned.status == 201, "\(returned.text)")
            #expect(returned.object("return")["order_id"] as? String == orderID)
            #expect(try await client.call(.get, path, key: key).int("returned_amount") == 1250)

            for lookup in [
                "email:ann+shop@example.com", "email:" + Self.encoded("ann+shop@example.com"),
                "email:" + Self.encoded("ANN+shop@Example.com"), "external_id:" + Self.encoded("ext 1/ü"),
                "card:CARD-1", Self.encoded(id),
            ] {
                let reply = try await client.call(.get, "/v1/customers/\(lookup)", key: key)
                #expect(reply.object("customer")["id"] as? String == id, "\(lookup): \(reply.status)")
            }
            // docs/api.md shows exactly this request.
            #expect(try await client.call(.get, "/v1/customers/email:ann%2Bshop%40example.com", key: key).status == 200)
            // PATCH and the wallet take the Retain id only; an encoded one works too.
            #expect(try await client.call(.get, "/v1/customers/\(Self.encoded(id))/wallet", key: key).status == 200)
            let patched = try await client.call(
                .patch, "/v1/customers/\(Self.encoded(id))", key: key, body: #"{"first_name":"Ann"}"#)
            #expect(patched.object("customer")["first_name"] as? String == "Ann")

            let ruleID = "spring sale/2026"
            let put = try await client.call(
                .put, "/v1/earning-rules/\(Self.encoded(ruleID))", key: key,
                body: #"{"name":"Spring","kind":"order_bonus","points":5}"#)
            #expect(put.string("id") == ruleID)
            #expect(try await client.call(.get, "/v1/earning-rules", key: key).ids("rules") == [ruleID])
            let deleted = try await client.call(.delete, "/v1/earning-rules/\(Self.encoded(ruleID))", key: key)
            #expect(deleted.status == 204)
            #expect(try await client.call(.get, "/v1/earning-rules", key: key).ids("rules").isEmpty)

            // A malformed escape is taken literally, and names nothing.
            let malformed = try await client.call(.get, "/v1/orders/%ZZ", key: key)
            #expect(malformed.status == 404)
            #expect(malformed.isProblem)
        }
    }
}
