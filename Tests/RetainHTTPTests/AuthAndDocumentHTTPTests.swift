import Foundation
import HTTPTypes
import HummingbirdTesting
import RetainCore
import RetainServices
import Testing

@Suite("keys, scopes and the served documents")
struct AuthAndDocumentHTTPTests {
    @Test("requests without a valid key get 401; a key's scope limits what it may do")
    func scopes() async throws {
        try await HTTPHarness.run { harness, client in
            let none = try await client.call(.get, "/v1/customers", key: nil)
            #expect(none.status == 401)
            #expect(none.isProblem)
            #expect(try await client.call(.get, "/v1/customers", key: "rtn_NOTAKEY").status == 401)

            let read = try await harness.administration.createKey(program: "default", name: "reader", scope: .read)
                .secret
            let write = try await harness.administration.createKey(program: "default", name: "till", scope: .write)
                .secret
            let order =
                #"{"order_id":"S-1","customer":{"email":"sam@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":1000}"#
            #expect(try await client.call(.get, "/v1/customers", key: read).status == 200)
            let forbidden = try await client.call(.post, "/v1/orders", key: read, body: order)
            #expect(forbidden.status == 403)
            #expect(forbidden.isProblem)
            #expect(try await client.call(.post, "/v1/orders", key: write, body: order).status == 201)
            #expect(try await client.call(.put, "/v1/earning-rules", key: write, body: #"{"rules":[]}"#).status == 403)
            #expect(
                try await client.call(.put, "/v1/earning-rules", key: harness.keyA, body: #"{"rules":[]}"#).status
                    == 200)

            let doomed = try await harness.administration.createKey(program: "default", name: "doomed", scope: .admin)
            try await harness.administration.revokeKey(id: doomed.key.id)
            #expect(try await client.call(.get, "/v1/program", key: doomed.secret).status == 401)
        }
    }

    @Test("health, metrics and the OpenAPI document need no key")
    func operational() async throws {
        try await HTTPHarness.run { _, client in
            let health = try await client.call(.get, "/health", key: nil)
            #expect(health.status == 200)
            #expect(health.string("database") == "ok")
            let metrics = try await client.call(.get, "/metrics", key: nil)
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain") == true)
            let document = try await client.call(.get, "/openapi.json", key: nil)
            #expect(document.status == 200)
            #expect(document.string("openapi") == "3.1.0")
        }
    }

    @Test("every operation in the OpenAPI document is served by the router")
    func documentMatchesRoutes() async throws {
        try await HTTPHarness.run { harness, client in
            let document = try await client.call(.get, "/openapi.json", key: nil)
            let paths = try #require(document.json["paths"] as? [String: [String: Any]])
            var operations = 0
            for (path, methods) in paths.sorted(by: { $0.key < $1.key }) {
                let concrete = path.replacingOccurrences(of: "{id}", with: "cus_x").replacingOccurrences(
                    of: "{order_id}", with: "o-x")
                for method in methods.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    operations += 1
                    let reply = try await client.call(
                        HTTPRequest.Method(method.uppercased())!, concrete, key: harness.keyA,
                        body: method == "get" || method == "delete" ? nil : "{}")
                    #expect(
                        reply.string("detail")?.contains("no such endpoint") != true,
                        "\(method.uppercased()) \(path) is documented but not routed")
                }
            }
            #expect(operations == 26)
        }
    }

    @Test("the same order through a live server")
    func live() async throws {
        try await HTTPHarness.run(.live) { harness, client in
            #expect(try await client.call(.get, "/health", key: nil).status == 200)
            let order =
                #"{"order_id":"L-1","customer":{"phone":"+48 600 100 200"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":2599}"#
            let first = try await client.call(.post, "/v1/orders", key: harness.keyA, body: order)
            let again = try await client.call(.post, "/v1/orders", key: harness.keyA, body: order)
            #expect(first.status == 201)
            #expect(again.status == 201)
            #expect(first.text == again.text)
            let conflict = try await client.call(
                .post, "/v1/orders", key: harness.keyA, body: order.replacingOccurrences(of: "2599", with: "2600"))
            #expect(conflict.status == 409)
            #expect(conflict.isProblem)
        }
    }
}
