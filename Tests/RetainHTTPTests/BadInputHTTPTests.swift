import Foundation
import HTTPTypes
import RetainCore
import RetainServices
import Testing

/// Bad input is answered with an RFC 9457 problem naming the field, and writes nothing.
@Suite("bad input over HTTP")
struct BadInputHTTPTests {
    static let valid =
        #"{"order_id":"X-1","customer":{"email":"bob@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","lines":[{"sku":"MUG","quantity":2,"unit_price":1250}]}"#

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var status: Int
        var field: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "wrong type", body: valid.replacingOccurrences(of: #""quantity":2"#, with: #""quantity":"2""#),
            status: 422, field: "lines[0].quantity"),
        Case(
            name: "missing field",
            body: valid.replacingOccurrences(of: #""placed_at":"2026-01-10T10:00:00Z","#, with: ""), status: 422,
            field: "placed_at"),
        Case(
            name: "negative quantity", body: valid.replacingOccurrences(of: #""quantity":2"#, with: #""quantity":-2"#),
            status: 422, field: "lines[0].quantity"),
        Case(
            name: "unknown currency", body: valid.replacingOccurrences(of: "EUR", with: "XYZ"), status: 422,
            field: "currency"),
        Case(
            name: "another program's currency", body: valid.replacingOccurrences(of: "EUR", with: "GBP"), status: 422,
            field: "currency"),
        Case(
            name: "unknown customer id",
            body: valid.replacingOccurrences(
                of: #"{"email":"bob@example.com"}"#, with: #"{"customer_id":"cus_nobody"}"#), status: 422,
            field: "customer.customer_id"),
        Case(
            name: "no customer",
            body: valid.replacingOccurrences(of: #""customer":{"email":"bob@example.com"},"#, with: ""), status: 422,
            field: "customer"),
        Case(
            name: "total that does not add up", body: valid.replacingOccurrences(of: "}]}", with: #"}],"total":1}"#),
            status: 422, field: "total"),
        Case(
            name: "bad time", body: valid.replacingOccurrences(of: "2026-01-10T10:00:00Z", with: "yesterday"),
            status: 422, field: "placed_at"),
        Case(name: "broken JSON", body: #"{"order_id": "#, status: 400, field: nil),
        Case(name: "empty body", body: "", status: 400, field: nil),
    ]

    @Test("each bad order gets a problem document and changes nothing", arguments: cases)
    func badOrders(_ badCase: Case) async throws {
        try await HTTPHarness.run { harness, client in
            let reply = try await client.call(.post, "/v1/orders", key: harness.keyA, body: badCase.body)
            #expect(reply.status == badCase.status, "\(reply.text)")
            #expect(reply.isProblem)
            if let field = badCase.field { #expect(reply.fields.contains(field), "\(reply.fields)") }
            #expect(try await client.call(.get, "/v1/orders/X-1", key: harness.keyA).status == 404)
            let customers = try await client.call(.get, "/v1/customers", key: harness.keyA)
            #expect((customers.json["customers"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("bodies that are too large, not UTF-8 or not JSON are refused")
    func transport() async throws {
        try await HTTPHarness.run { harness, client in
            let big = #"{"order_id":"X-1","pad":""# + String(repeating: "x", count: 1_100_000) + #""}"#
            let tooLarge = try await client.callBytes(.post, "/v1/orders", key: harness.keyA, bytes: Array(big.utf8))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.isProblem)
            var invalid = Array(Self.valid.utf8)
            invalid[invalid.count - 10] = 0xFF
            let notUTF8 = try await client.callBytes(.post, "/v1/orders", key: harness.keyA, bytes: invalid)
            #expect(notUTF8.status == 400)
            #expect(notUTF8.string("detail")?.contains("UTF-8") == true)
            let xml = try await client.callBytes(
                .post, "/v1/orders", key: harness.keyA, bytes: Array("<order/>".utf8), contentType: "text/xml")
            #expect(xml.status == 415)
            #expect(xml.isProblem)
            #expect(try await client.call(.get, "/v1/orders/X-1", key: harness.keyA).status == 404)
        }
    }

    @Test("other endpoints name the field at fault")
    func otherEndpoints() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            let created = try await client.call(
                .post, "/v1/customers", key: key, body: #"{"email":"not-an-email","time_zone":"Mars/Olympus"}"#)
            #expect(created.status == 422)
            #expect(Set(created.fields) == ["email", "time_zone"])
            let customer = try await client.call(
                .post, "/v1/customers", key: key, body: #"{"email":"eve@example.com"}"#)
            let id = try #require(customer.object("customer")["id"] as? String)
            let noKey = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":10}"#)
            #expect(noKey.status == 422)
            #expect(noKey.fields == ["Idempotency-Key"])
            let refused = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":10}"#,
                headers: ["Idempotency-Key": "r-1"])
            #expect(refused.status == 422)
            #expect(refused.string("code") == "insufficient_points")
            let limit = try await client.call(.get, "/v1/customers?limit=0", key: key)
            #expect(limit.status == 422)
            #expect(limit.fields == ["limit"])
            let rule = try await client.call(
                .post, "/v1/earning-rules", key: key, body: #"{"name":"x","kind":"points_per_amount","points":1}"#)
            #expect(rule.status == 422)
            #expect(rule.fields == ["per_amount"])
            let unknownRoute = try await client.call(.get, "/v1/nothing-here", key: key)
            #expect(unknownRoute.status == 404)
            #expect(unknownRoute.isProblem)
            let adjustment = try await client.call(
                .post, "/v1/customers/\(id)/adjustments", key: key, body: #"{"points":-5,"reason":"x"}"#,
                headers: ["Idempotency-Key": "a-1"])
            #expect(adjustment.status == 422)
            #expect(Set(adjustment.fields) == ["reason"])
            let ledger = try await client.call(.get, "/v1/customers/\(id)/ledger", key: key)
            #expect((ledger.json["entries"] as? [Any])?.isEmpty == true)
        }
    }
}
