import Foundation
import RetainCore
import SQLKit

extension SQLStoreSession {
    func takeLease(job: String, holder: String, now: Date, until: Date) async throws -> Bool {
        // One upsert that only overwrites a lease that is this holder's own or has run out; then whoever holds the
        // row holds the job. Two processes racing are ordered by the row's key (SQLite's single writer, or
        // PostgreSQL's serializable retry).
        try await database.raw(
            """
            INSERT INTO job_leases (program_id, job, holder, expires_at)
            VALUES (\(bind: programID), \(bind: job), \(bind: holder), \(bind: StoreCoding.millis(until)))
            ON CONFLICT (program_id, job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= \(bind: StoreCoding.millis(now))
            """
        ).run()
        let row = try await database.select().column("holder").from("job_leases")
            .where("program_id", .equal, programID).where("job", .equal, job)
            .first()
        return try row?.string("holder") == holder
    }
}
