import Logging
import RetainCore
import RetainServices
import ServiceLifecycle

/// Runs a job for every program on a fixed interval beside the HTTP server (points expiry, analytics): first at
/// start, then every `interval`. A program whose job fails is logged and tried again next time; the others go on.
struct ProgramScheduler: Service {
    let job: String
    let administration: Administration
    let interval: Duration
    let logger: Logger
    let work: @Sendable (_ program: String, _ logger: Logger) async throws -> Void

    init(
        job: String, administration: Administration, interval: Duration, logger: Logger,
        work: @escaping @Sendable (_ program: String, _ logger: Logger) async throws -> Void
    ) {
        self.job = job
        self.administration = administration
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for program in (try? await administration.programs()) ?? [] {
                    do {
                        try await work(program.id, logger)
                    } catch {
                        logger.error("\(job) job failed for program \(program.id): \(error)")
                    }
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
