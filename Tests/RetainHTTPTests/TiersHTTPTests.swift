import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The program configuration and tiers over HTTP: a bad ladder is refused field by field, a good one becomes a
/// version, orders move a customer up, and an admin override shows with its reason and actor.
@Suite("tiers over HTTP")
struct TiersHTTPTests {
    static let ladder =
        #"{"tiers":{"qualification":{"metric":"spend","window":"calendar_year"},"downgrade":{"grace_days":30,"steps":"one_step"},"tiers":[{"id":"member","name":"Member","threshold":0},{"id":"silver","name":"Silver","threshold":5000,"benefits":{"earn_multiplier":1.5}},{"id":"gold","name":"Gold","threshold":20000,"benefits":{"discount_percent":10,"upgrade_gift_points":200}}]},"stamp_cards":[{"id":"visits","name":"Every 3rd order","stamps":3,"reward":{"points":50}}]}"#

    @Test("configuration versions, a customer's way up the ladder, an override, and the distribution")
    func tiers() async throws {
        try await HTTPHarness.run { harness, client in
            let key = harness.keyA
            #expect(try await client.call(.get, "/v1/tiers", key: key).status == 422)
            let bad = try await client.call(
                .put, "/v1/program/configuration", key: key,
                body:
                    #"{"tiers":{"qualification":{"metric":"spend","window":"rolling_months"},"tiers":[{"id":"a","name":"A","threshold":10},{"id":"a","name":"","threshold":5}]}}"#
            )
            #expect(bad.status == 422 && bad.isProblem)
            #expect(
                bad.fields == [
                    "tiers.qualification.months", "tiers.tiers[0].threshold", "tiers.tiers[1].id",
                    "tiers.tiers[1].name", "tiers.tiers[1].threshold",
                ])
            let wrongType = try await client.call(
                .put, "/v1/program/configuration", key: key, body: #"{"tiers":{"qualification":{"metric":"visits"}}}"#)
            #expect(wrongType.status == 422 && wrongType.fields == ["tiers.qualification.metric"], "\(wrongType.text)")
            #expect(try await client.call(.get, "/v1/program/configuration", key: key).int("version") == 0)

            let saved = try await client.call(.put, "/v1/program/configuration", key: key, body: Self.ladder)
            #expect(saved.status == 200 && saved.int("version") == 1)
            #expect(saved.string("actor")?.hasPrefix("key:") == true)
            let again = try await client.call(.put, "/v1/program/configuration", key: key, body: Self.ladder)
            #expect(again.int("version") == 1)

            _ = try await client.call(
                .put, "/v1/earning-rules", key: key,
                body:
                    #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100}]}"#
            )
            let created = try await client.call(.post, "/v1/customers", key: key, body: #"{"email":"eve@example.com"}"#)
            let customer = try #require(created.object("customer")["id"] as? String)
            let start = try await client.call(.get, "/v1/customers/\(customer)/tier", key: key)
            #expect(start.string("tier_id") == "member" && start.int("needed") == 5000)
            let order =
                #"{"order_id":"T-1","customer":{"email":"eve@example.com"},"placed_at":"PLACED","currency":"EUR","total":6000}"#
                .replacingOccurrences(of: "PLACED", with: nowAsRFC3339())
            #expect(try await client.call(.post, "/v1/orders", key: key, body: order).status == 201)
            let cards = try await client.call(.get, "/v1/customers/\(customer)/stamp-cards", key: key)
            let visits = (cards.json["cards"] as? [[String: Any]])?.first
            #expect(visits?["card_id"] as? String == "visits" && visits?["stamps"] as? Int == 1)
            #expect(visits?["of"] as? Int == 3)
            let report = try await client.call(.get, "/v1/stamp-cards", key: key)
            #expect((report.json["cards"] as? [[String: Any]])?.first?["customers"] as? Int == 1)
            let silver = try await client.call(.get, "/v1/customers/\(customer)/tier", key: key)
            #expect(silver.string("tier_id") == "silver")
            #expect(silver.string("next_tier_id") == "gold" && silver.int("needed") == 14_000)
            #expect(silver.object("benefits")["earn_multiplier"] as? Double == 1.5)

            let refused = try await client.call(
                .put, "/v1/customers/\(customer)/tier-override", key: key,
                body: #"{"tier_id":"platinum","reason":"vip","until":"2099-01-01T00:00:00Z"}"#)
            #expect(refused.status == 422 && refused.fields == ["tier_id"])
            let override = try await client.call(
                .put, "/v1/customers/\(customer)/tier-override", key: key,
                body: #"{"tier_id":"gold","reason":"press partner","until":"2099-01-01T00:00:00Z"}"#)
            #expect(override.status == 200)
            #expect(override.string("tier_id") == "gold" && override.string("earned_tier_id") == "silver")
            let history = override.json["history"] as? [[String: Any]] ?? []
            #expect(history.map { $0["reason"] as? String } == ["upgrade", "override"])
            #expect((history.last?["actor"] as? String)?.hasPrefix("key:") == true)

            let distribution = try await client.call(.get, "/v1/tiers", key: key)
            let rows = distribution.json["tiers"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["customers"] as? Int } == [0, 0, 1])
            let versions = try await client.call(.get, "/v1/program/configuration/versions", key: key)
            // Saving the rules made version 2: every change to the rules or the configuration is a version, and
            // each ledger entry names the version it was written under.
            let list = versions.json["versions"] as? [[String: Any]] ?? []
            #expect(list.map { $0["version"] as? Int } == [2, 1])
            #expect((list.first?["rules"] as? [[String: Any]])?.count == 1)
            let ledger = try await client.call(.get, "/v1/customers/\(customer)/ledger", key: key)
            let entries = ledger.json["entries"] as? [[String: Any]] ?? []
            #expect(!entries.isEmpty && entries.allSatisfy { $0["program_version"] as? Int == 2 })

            let doubled =
                #"{"rules":[{"id":"base","name":"2 per 1.00","kind":"points_per_amount","points":2,"per_amount":100}]}"#
            let dryRun = try await client.call(.post, "/v1/program/dry-run?days=7", key: key, body: doubled)
            #expect(dryRun.status == 200 && dryRun.int("orders") == 1)
            #expect(dryRun.int("points_current") == 60 && dryRun.int("points_proposed") == 120)
            let badDays = try await client.call(.post, "/v1/program/dry-run?days=0", key: key, body: doubled)
            #expect(badDays.status == 422 && badDays.fields == ["days"])
        }
    }
}

/// Now, as the API writes it.
func nowAsRFC3339() -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date())
}
