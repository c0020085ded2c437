import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RetainCore
import RetainHTTP
import RetainServices
import RetainStore
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (with the points-expiry and analytics jobs) until SIGTERM or Ctrl-C.",
        discussion: """
            Applies pending migrations, creates the default program, and on the very first start creates an admin \
            API key and prints it once. Beside the API, two jobs run for every program: points expiry \
            (--expiry-interval) and the analytics behind /v1/analytics (--analytics-interval; recomputed only when \
            orders or returns changed, and on demand by POST /v1/analytics/refresh). SIGTERM or SIGINT stops accepting connections and lets requests in flight \
            finish before the database is closed.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: ArgumentHelp("Seconds between runs of the points-expiry job.", valueName: "seconds"))
    var expiryInterval: Int = 3600

    @Option(
        help: ArgumentHelp(
            "Seconds between checks that recompute /v1/analytics for programs whose orders changed.",
            valueName: "seconds"))
    var analyticsInterval: Int = 900

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error.", valueName: "level"))
    var logLevel: String = "info"

    func run() async throws {
        var logger = Logger(label: "retain")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try await Runtime.with(database, logger: logger) { runtime in
            if !runtime.migration.applied.isEmpty {
                logger.info("database \(database.displayName) migrated to schema \(runtime.migration.version)")
            }
            if try await runtime.administration.keys(program: nil).isEmpty {
                let made = try await runtime.administration.createKey(
                    program: Program.defaultID, name: "initial admin key", scope: .admin)
                print(
                    """
                    Created the first API key (scope admin, program default). It is shown only this once:

                        \(made.secret)

                    Use it as: curl -H 'Authorization: Bearer \(made.secret)' http://\(host):\(port)/v1/program
                    """)
            }
            let analytics = LiveAnalytics(service: runtime.service)
            let dependencies = HTTPDependencies(
                service: runtime.service, administration: runtime.administration, analytics: analytics,
                healthCheck: { _ = try await runtime.administration.programs() },
                renderMetrics: { registry.emitToString() })
            let service = runtime.service
            let expiry = ProgramScheduler(
                job: "expiry", administration: runtime.administration, interval: .seconds(max(1, expiryInterval)),
                logger: logger,
                claim: { program in
                    // Held for two intervals, so the holder renews it before it runs out; a stopped holder's lease
                    // passes to another process within two intervals.
                    try await service.takeJobLease(
                        program: program, job: "expiry", holder: ProgramScheduler.processName,
                        for: TimeInterval(2 * max(1, expiryInterval)))
                }
            ) { program, logger in
                let report = try await service.expirePoints(program: program)
                if report.entries > 0 {
                    logger.info("expired \(report.points) points in \(report.entries) lots of program \(program)")
                }
            }
            let analyticsJob = ProgramScheduler(
                job: "analytics", administration: runtime.administration,
                interval: .seconds(max(1, analyticsInterval)), logger: logger
            ) { program, logger in
                let before = await analytics.cached(program: program)?.computedAt
                let snapshot = try await analytics.refresh(program: program)
                if snapshot.computedAt != before {
                    logger.info(
                        "analytics of program \(program) computed in \(String(format: "%.2f", snapshot.computeSeconds)) s: purchases \(snapshot.purchases.purchases), customers \(snapshot.purchases.customers)"
                    )
                }
            }
            let app = buildApplication(
                dependencies, host: host, port: port, services: [expiry, analyticsJob], logger: logger,
                onServerRunning: { channel in
                    let boundPort = channel.localAddress?.port ?? port
                    print(
                        "retain is listening on http://\(host):\(boundPort) (database \(database.displayName)); Ctrl-C stops it"
                    )
                    fflush(nil)
                })
            let group = ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            print("retain stopped")
        }
    }
}
