import Foundation
import PostgresNIO

/// What a PostgreSQL error means to Retain: whether running the transaction again can succeed, and a readable
/// reason (`PSQLError`'s own description hides the server's message on purpose).
enum PostgresFailure {
    /// serialization_failure, deadlock_detected, unique_violation: another transaction got there first.
    static let retryableStates: Set<String> = ["40001", "40P01", "23505"]

    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return retryableStates.contains(state)
    }

    /// `error` as it should reach the user: a server or connection error becomes `StoreError.unavailable` with its
    /// reason; any other error (a business refusal from the body) passes through unchanged.
    static func explained(_ error: any Error) -> any Error {
        guard error is PSQLError else { return error }
        return StoreError.unavailable("PostgreSQL: \(reason(error))")
    }

    /// The server's message and SQLSTATE, or the kind of connection failure.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { ": \($0)" } ?? ""
            return message + detail + state
        }
        switch error.code {
        case .connectionError:
            return "no connection (\(error.underlying.map { "\($0)" } ?? "refused")); is the server running there and "
                + "accepting TCP connections (listen_addresses, pg_hba.conf)?"
        case .sslUnsupported:
            return "the server does not offer TLS; use sslmode=prefer or sslmode=disable, or enable ssl on the server"
        default:
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
    }
}
