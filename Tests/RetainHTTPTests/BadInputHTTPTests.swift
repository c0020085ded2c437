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
        Case(
            name: "price in major units",
            body: valid.replacingOccurrences(of: #""unit_price":1250"#, with: #""unit_price":12.5"#), status: 422,
            field: "lines[0].unit_price"),
        Case(
            name: "number out of range", body: valid.replacingOccurrences(of: "}]}", with: #"}],"total":1e30}"#),
            status: 422, field: "total"),
        Case(
            name: "zero quantity", body: valid.replacingOccurrences(of: #""quantity":2"#, with: #""quantity":0"#),
            status: 422, field: "lines[0].quantity"),
        Case(
            name: "negative price",
            body: valid.replacingOccurrences(of: #""unit_price":1250"#, with: #""unit_price":-1"#), status: 422,
            field: "lines[0].unit_price"),
        Case(
            name: "negative discount", body: valid.replacingOccurrences(of: "}]}", with: #"}],"discount":-5}"#),
            status: 422, field: "discount"),
        Case(
            name: "line amounts that overflow",
            body: valid.replacingOccurrences(
                of: "}]}",
                with:
                    #"},{"quantity":1000000000,"unit_price":1000000000000},{"quantity":1000000000,"unit_price":1000000000000}]}"#
            ),
            status: 422, field: "lines"),
        Case(
            name: "placed in the future",
            body: valid.replacingOccurrences(of: "2026-01-10T10:00:00Z", with: "2999-01-10T10:00:00Z"), status: 422,
            field: "placed_at"),
        Case(name: "an array instead of an object", body: "[]", status: 422, field: "body"),
        Case(name: "broken JSON", body: #"{"order_id": "#, status: 400, field: nil),
        Case(name: "empty body", body: "", status: 400, field: nil),
    ]

    @Test("each bad order gets a problem document and changes nothing", arguments: cases)
    func badOrders(_ badCase: Case) async throws {
        try await HTTPHarness.run { harness, client in
            let reply = try await client.call(.post, "/v1/orders", key: harness.keyA, body: badCase.body)
            #expect(reply.status == badCase.status, "\(reply.text)")
            #expect(reply.isProblem)
            if let field = badCase.field {
                #expect(reply.fields.contains(field), "\(reply.fields)")
                #expect(reply.reason(field)?.isEmpty == false)
            }
            #expect(try await client.call(.get, "/v1/orders/X-1", key: harness.keyA).status == 404)
            let customers = try await client.call(.get, "/v1/customers", key: harness.keyA)
            #expect((customers.json["customers"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("bodies that are too large, not UTF-8 or not JSON are refused on every endpoint that reads one")
    func transport() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            let created = try await client.call(.post, "/v1/customers", key: key, body: #"{"email":"eve@example.com"}"#)
            let id = try #require(created.object("customer")["id"] as? String)
            let customerBefore = try await client.call(.get, "/v1/customers/\(id)", key: key).text
            let big = #"{"order_id":"X-1","pad":""# + String(repeating: "x", count: 1_100_000) + #""}"#
            var notUTF8 = Array(Self.valid.utf8)
            notUTF8[notUTF8.count - 10] = 0xFF
            let bodies: [(String, [UInt8], String, Int, String)] = [
                ("over 1 MiB", Array(big.utf8), "application/json", 413, "1 MiB"),
                ("invalid UTF-8", notUTF8, "application/json", 400, "UTF-8"),
                ("XML", Array("<order/>".utf8), "text/xml", 415, "application/json"),
                ("XML that looks like JSON", Array(Self.valid.utf8), "text/xml; charset=utf-8", 415, "text/xml"),
                ("broken JSON", Array(#"{"email": "#.utf8), "application/json", 400, "JSON"),
            ]
            for (method, path) in [
                (HTTPRequest.Method.post, "/v1/orders"), (.post, "/v1/customers"), (.patch, "/v1/customers/\(id)"),
                (.post, "/v1/events"), (.put, "/v1/earning-rules"),
            ] {
                for (name, bytes, contentType, status, mention) in bodies {
                    let reply = try await client.callBytes(
                        method, path, key: key, bytes: bytes, contentType: contentType)
                    #expect(reply.status == status, "\(name) \(method) \(path): \(reply.text)")
                    #expect(reply.isProblem, "\(name) \(method) \(path)")
                    #expect(
                        reply.string("detail")?.contains(mention) == true, "\(name): \(reply.string("detail") ?? "")")
                }
            }
            #expect(try await client.call(.get, "/v1/orders/X-1", key: key).status == 404)
            #expect(try await client.call(.get, "/v1/customers", key: key).ids("customers") == [id])
            #expect(try await client.call(.get, "/v1/customers/\(id)", key: key).text == customerBefore)
            // curl -d sends application/x-www-form-urlencoded; it is let through and read as JSON.
            let curl = try await client.callBytes(
                .post, "/v1/customers", key: key, bytes: Array(#"{"email":"curl@example.com"}"#.utf8),
                contentType: "application/x-www-form-urlencoded")
            #expect(curl.status == 201)
        }
    }

    @Test("other endpoints name the field or header at fault and write nothing")
    func otherEndpoints() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            let created = try await client.call(
                .post, "/v1/customers", key: key, body: #"{"email":"not-an-email","time_zone":"Mars/Olympus"}"#)
            #expect(created.status == 422)
            #expect(Set(created.fields) == ["email", "time_zone"])
            let tags = try await client.call(.post, "/v1/customers", key: key, body: #"{"tags":"vip"}"#)
            #expect(tags.fields == ["tags"])
            #expect(tags.reason("tags") == "must be an array")
            #expect(try await client.call(.get, "/v1/customers", key: key).ids("customers").isEmpty)

            let customer = try await client.call(
                .post, "/v1/customers", key: key, body: #"{"email":"eve@example.com"}"#)
            let id = try #require(customer.object("customer")["id"] as? String)
            let noKey = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":10}"#)
            #expect(noKey.status == 422)
            #expect(noKey.isProblem)
            #expect(noKey.fields == ["Idempotency-Key"])
            #expect(noKey.string("detail")?.contains("Idempotency-Key") == true)
            let longKey = try await client.call(
                .post, "/v1/customers/\(id)/adjustments", key: key, body: #"{"points":5,"reason":"goodwill"}"#,
                headers: ["Idempotency-Key": String(repeating: "k", count: 129)])
            #expect(longKey.fields == ["Idempotency-Key"])
            let refused = try await client.call(
                .post, "/v1/customers/\(id)/redemptions", key: key, body: #"{"points":10}"#,
                headers: ["Idempotency-Key": "r-1"])
            #expect(refused.status == 422)
            #expect(refused.isProblem)
            #expect(refused.string("code") == "insufficient_points")
            for path in [
                "/v1/customers?limit=0", "/v1/customers?limit=201", "/v1/customers?limit=ten",
                "/v1/customers/\(id)/ledger?limit=0", "/v1/orders?limit=0",
            ] {
                let limit = try await client.call(.get, path, key: key)
                #expect(limit.status == 422, "\(path)")
                #expect(limit.isProblem, "\(path)")
                #expect(limit.fields == ["limit"], "\(path)")
            }
            let rule = try await client.call(
                .post, "/v1/earning-rules", key: key, body: #"{"name":"x","kind":"points_per_amount","points":1}"#)
            #expect(rule.status == 422)
            #expect(rule.fields == ["per_amount"])
            let ruleSet = try await client.call(
                .put, "/v1/earning-rules", key: key,
                body:
                    #"{"rules":[{"id":"ok","name":"ok","kind":"order_bonus","points":5},{"id":"bad","name":"bad","kind":"multiplier"}]}"#
            )
            #expect(ruleSet.fields == ["rules[1].factor"])
            #expect(try await client.call(.get, "/v1/earning-rules", key: key).ids("rules").isEmpty)
            let settings = try await client.call(
                .patch, "/v1/program", key: key, body: #"{"name":"Half","settings":{"pending_days":1.5}}"#)
            #expect(settings.status == 422)
            #expect(settings.isProblem)
            #expect(settings.fields == ["settings.pending_days"])
            #expect(try await client.call(.get, "/v1/program", key: key).string("name") == "Default program")
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/nothing-here"), (.delete, "/v1/customers"), (.get, "/nothing"),
            ] {
                let unknownRoute = try await client.call(method, path, key: key)
                #expect(unknownRoute.status == 404, "\(method) \(path)")
                #expect(unknownRoute.isProblem, "\(method) \(path)")
            }
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
