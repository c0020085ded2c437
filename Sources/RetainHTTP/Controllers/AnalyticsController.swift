import Foundation
import Hummingbird
import NIOCore
import RetainCore
import RetainServices

/// `/v1/analytics/…`: retention, cohorts, RFM, predictions and the at-risk list over the program's own orders.
/// Answers come from the last computation (`computed_at` says when), which the scheduler in `retain serve`
/// renews and `POST /v1/analytics/refresh` renews on demand — never one computation per request.
struct AnalyticsController {
    let service: LoyaltyService
    let analytics: LiveAnalytics

    struct RefreshResult: Encodable, Sendable {
        /// False when the orders had not changed since the last computation, which was kept.
        var recomputed: Bool
    }

    func register(on group: RouterGroup<RetainRequestContext>) {
        group.get("analytics/summary") { _, context in
            let snapshot = try await analytics.snapshot(program: try context.program(for: .read))
            return try Self.response(
                AnalyticsResponse(snapshot, AnalyticsSummary(snapshot, options: analytics.options)))
        }
        group.get("analytics/cohorts") { _, context in
            let snapshot = try await analytics.snapshot(program: try context.program(for: .read))
            return try Self.response(AnalyticsResponse(snapshot, snapshot.cohortsPart))
        }
        group.get("analytics/rfm") { _, context in
            let snapshot = try await analytics.snapshot(program: try context.program(for: .read))
            return try Self.response(AnalyticsResponse(snapshot, snapshot.rfmPart))
        }
        group.get("analytics/at-risk") { request, context in
            let program = try context.program(for: .read)
            let limit = try limitParameter(request, default: 50, maximum: 1_000)
            let snapshot = try await analytics.snapshot(program: program)
            return try Self.response(AnalyticsResponse(snapshot, AnalyticsAtRisk(snapshot, limit: limit)))
        }
        group.get("analytics/customers/:id") { _, context in
            let program = try context.program(for: .read)
            let customerID = try await service.customerID(
                program: program, reference: try context.pathParameter("id"))
            let snapshot = try await analytics.snapshot(program: program)
            return try Self.response(AnalyticsResponse(snapshot, AnalyticsCustomer(snapshot, customerID: customerID)))
        }
        group.post("analytics/refresh") { request, context in
            let program = try context.program(for: .write)
            let force: Bool
            switch request.uri.queryParameters.get("force") {
            case nil, "false": force = false
            case "true": force = true
            default: throw APIProblem.invalid([FieldIssue("force", "must be true or false")])
            }
            let before = await analytics.cached(program: program)?.computedAt
            let snapshot = try await analytics.refresh(program: program, force: force)
            return try Self.response(
                AnalyticsResponse(snapshot, RefreshResult(recomputed: snapshot.computedAt != before)))
        }
    }

    static func response<Body>(_ value: AnalyticsResponse<Body>) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try value.json())))
    }
}
