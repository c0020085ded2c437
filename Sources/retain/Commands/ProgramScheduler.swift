import Foundation
import Logging
import RetainCore
import RetainServices
import ServiceLifecycle

/// Runs a job for every program on a fixed interval beside the HTTP server (points expiry, analytics): first at
/// start, then every `interval`. A program whose job fails is logged and tried again next time; the others go on.
///
/// A job that writes (expiry) has a `claim`: of several processes on one database, only the one holding the
/// program's lease for the job runs it (`LoyaltyService.takeJobLease`). A job that only fills this process's own
/// memory (analytics) runs in every process.
struct ProgramScheduler: Service {
    let job: String
    let administration: Administration
    let interval: Duration
    let logger: Logger
    /// Takes or renews this process's lease of the job for a program; nil runs the job in every process.
    let claim: (@Sendable (_ program: String) async throws -> Bool)?
    let work: @Sendable (_ program: String, _ logger: Logger) async throws -> Void

    init(
        job: String, administration: Administration, interval: Duration, logger: Logger,
        claim: (@Sendable (_ program: String) async throws -> Bool)? = nil,
        work: @escaping @Sendable (_ program: String, _ logger: Logger) async throws -> Void
    ) {
        self.job = job
        self.administration = administration
        self.interval = interval
        self.logger = logger
        self.claim = claim
        self.work = work
    }

    /// Names this process among those sharing a database: host, process id and a random part.
    static let processName: String = {
        let host = ProcessInfo.processInfo.hostName
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }()

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for program in (try? await administration.programs()) ?? [] {
                    do {
                        if let claim, try await !claim(program.id) {
                            logger.debug("\(job) of program \(program.id) is run by another process this time")
                            continue
                        }
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
