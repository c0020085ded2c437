import Foundation
import RetainCore

extension LoyaltyService {
    /// Whether the process `holder` should run `job` for `program` now. Several `retain serve` processes on one
    /// database each tick; the one that holds the lease runs the job and renews the lease for `duration`, the others
    /// skip. If the holder stops, the lease runs out and the next process to tick takes it over. The jobs are
    /// idempotent anyway (expiry writes each lot's entry once); the lease saves the duplicate work.
    public func takeJobLease(program: String, job: String, holder: String, for duration: TimeInterval) async throws
        -> Bool
    {
        let time = now
        return try await store.write(program: program) { session in
            try await session.takeLease(job: job, holder: holder, now: time, until: time.addingTimeInterval(duration))
        }
    }
}
