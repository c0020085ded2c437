import Foundation
import Hummingbird
import ServiceLifecycle
import Logging
import NIOCore
import RetainCore
import RetainServices

/// What the HTTP layer needs from the composition root.
public struct HTTPDependencies: Sendable {
    public var service: LoyaltyService
    public var administration: Administration
    /// The analytics over the store, computed on a schedule or on demand and kept between requests.
    public var analytics: LiveAnalytics
    /// Throws when the database cannot be reached; `/health` reports it.
    public var healthCheck: @Sendable () async throws -> Void
    /// Renders `/metrics` in Prometheus text format; nil serves an empty document.
    public var renderMetrics: (@Sendable () -> String)?

    public init(
        service: LoyaltyService, administration: Administration, analytics: LiveAnalytics? = nil,
        healthCheck: @escaping @Sendable () async throws -> Void,
        renderMetrics: (@Sendable () -> String)? = nil
    ) {
        self.service = service
        self.administration = administration
        self.analytics = analytics ?? LiveAnalytics(service: service)
        self.healthCheck = healthCheck
        self.renderMetrics = renderMetrics
    }
}

/// Builds the router: operational endpoints without auth, everything else under `/v1` behind a bearer key.
public func buildRouter(_ dependencies: HTTPDependencies) -> Router<RetainRequestContext> {
    let router = Router(context: RetainRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.get("health") { _, _ -> Response in
        do {
            try await dependencies.healthCheck()
            return try JSONResponse.make(["status": "ok", "database": "ok"])
        } catch {
            return try JSONResponse.make(
                ["status": "unavailable", "database": "unreachable"], status: .serviceUnavailable)
        }
    }
    router.get("metrics") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: dependencies.renderMetrics?() ?? "")))
    }
    router.get("openapi.json") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
    }
    let v1 = router.group("v1")
        .add(
            middleware: AuthenticationMiddleware(authenticate: {
                try await dependencies.administration.authenticate(secret: $0)
            }))
    CustomerController(service: dependencies.service).register(on: v1)
    OrderController(service: dependencies.service).register(on: v1)
    ProgramController(service: dependencies.service, administration: dependencies.administration).register(on: v1)
    MembershipController(service: dependencies.service).register(on: v1)
    RewardController(service: dependencies.service).register(on: v1)
    AnalyticsController(service: dependencies.service, analytics: dependencies.analytics).register(on: v1)
    return router
}

/// The server: the router on `host:port`, with any extra services (the expiry scheduler) run beside it.
public func buildApplication(
    _ dependencies: HTTPDependencies, host: String, port: Int, services: [any Service] = [], logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(dependencies),
        configuration: .init(address: .hostname(host, port: port), serverName: "retain"),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger)
}

/// The OpenAPI 3.1 document shipped with the binary.
public enum OpenAPIDocument {
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Data("{}".utf8) }
        return data
    }()
}
