import Foundation
import RetainCore

/// Lets concurrent order requests share write transactions (group commit). While one transaction runs, new
/// orders queue; the next transaction takes all of them (up to `maxBatch`, one program at a time, in arrival order)
/// through one `OrderBatch`. SQLite writes one transaction at a time and each statement costs a thread hop, so
/// sharing the reads and multi-row writes of a transaction is what lets many shops' tills post at once.
///
/// Each order still gets its own answer; a business refusal (conflict, unknown customer) affects only that order.
/// If the transaction itself fails, each order of it is retried alone, so one bad order cannot fail the others.
public actor OrderPipeline {
    struct Job {
        let program: String
        let order: OrderInput
        let fingerprint: String
        let continuation: CheckedContinuation<OrderOutcome, any Error>
    }

    public let maxBatch = 256
    private var queue: [Job] = []
    private var draining = false

    public init() {}

    func submit(program: String, order: OrderInput, fingerprint: String, service: LoyaltyService) async throws
        -> OrderOutcome
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(program: program, order: order, fingerprint: fingerprint, continuation: continuation))
            if !draining {
                draining = true
                Task { await drain(service) }
            }
        }
    }

    private func drain(_ service: LoyaltyService) async {
        while !queue.isEmpty {
            let program = queue[0].program
            var batch: [Job] = []
            var rest: [Job] = []
            for job in queue {
                if job.program == program && batch.count < maxBatch { batch.append(job) } else { rest.append(job) }
            }
            queue = rest
            do {
                let outcomes = try await service.recordBatch(program: program, batch.map { ($0.order, $0.fingerprint) })
                for (job, outcome) in zip(batch, outcomes) { job.continuation.resume(returning: outcome) }
            } catch  where batch.count > 1 {
                for job in batch {
                    do {
                        let outcome = try await service.recordBatch(program: program, [(job.order, job.fingerprint)])
                        job.continuation.resume(returning: outcome[0])
                    } catch {
                        job.continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch.first?.continuation.resume(throwing: error)
            }
        }
        draining = false
    }
}
