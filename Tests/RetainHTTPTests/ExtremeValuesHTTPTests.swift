import Foundation
import HTTPTypes
import RetainCore
import Testing

@Suite("extreme values over HTTP")
struct ExtremeValuesHTTPTests {
    @Test("the richest valid rule on the largest valid order answers, capped, instead of crashing the server")
    func richestRuleLargestOrder() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            let rules =
                #"{"rules":[{"id":"max","name":"max","kind":"points_per_amount","points":1000000000,"per_amount":1}]}"#
            #expect(try await client.call(.put, "/v1/earning-rules", key: key, body: rules).status == 200)
            let order = #"{"currency":"EUR","total":1000000000000000}"#
            let simulated = try await client.call(.post, "/v1/orders/simulate", key: key, body: order)
            #expect(simulated.status == 200)
            #expect(simulated.int("points_earned") == Int(EarningEngine.maxPointsPerAward))
            let recorded = try await client.call(
                .post, "/v1/orders", key: key,
                body:
                    #"{"order_id":"BIG","customer":{"email":"rich@example.com"},"placed_at":"2026-01-10T10:00:00Z","currency":"EUR","total":1000000000000000}"#
            )
            #expect(recorded.status == 201)
            #expect(recorded.object("wallet")["balance"] as? Int == Int(EarningEngine.maxPointsPerAward))
            let tooRich = try await client.call(
                .patch, "/v1/program", key: key,
                body: #"{"settings":{"point_value":{"points":9000000000000000000,"amount":1}}}"#)
            #expect(tooRich.status == 422)
            #expect(tooRich.fields == ["settings.point_value.points"])
        }
    }

    @Test(
        "media types are compared whole",
        arguments: [
            ("application/json; charset=utf-8", 201), ("application/merge-patch+json", 201), ("application/jsonp", 415),
            ("text/json", 415),
        ])
    func mediaTypes(_ contentType: String, _ expected: Int) async throws {
        try await HTTPHarness.run { harness, client in
            let body = #"{"email":"media@example.com"}"#
            let reply = try await client.callBytes(
                .post, "/v1/customers", key: harness.keyA, bytes: Array(body.utf8), contentType: contentType)
            #expect(reply.status == expected)
        }
    }
}
