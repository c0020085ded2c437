import Foundation
import RetainStore
import SQLKit
import Testing

/// The engines every store and service test runs on. SQLite always; PostgreSQL when `RETAIN_TEST_POSTGRES_URL`
/// names a server (`.ci/run` starts a throwaway cluster with `scripts/postgres_cluster.sh` and sets it). Each test
/// gets an empty database of its own: a temporary file, or a new schema that is dropped afterwards.
enum TestBackend: String, Sendable, CustomStringConvertible {
    case sqlite, postgres

    var description: String { rawValue }

    static let postgresURL: String? = {
        let url = ProcessInfo.processInfo.environment["RETAIN_TEST_POSTGRES_URL"] ?? ""
        if url.isEmpty {
            print(
                "◇ PostgreSQL tests skipped: RETAIN_TEST_POSTGRES_URL is not set "
                    + "(scripts/postgres_cluster.sh start prints a URL to set it to)")
            return nil
        }
        return url
    }()

    static var available: [TestBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// Opens an empty database on this engine, runs `body`, then closes and removes the database whether `body`
    /// succeeds or throws (sqlite-nio aborts the test process if an open connection is freed).
    func withEmptyDatabase<T>(_ body: (any DatabaseProvider) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let path = temporaryDatabasePath()
            defer { removeDatabase(path) }
            let provider = try await SQLiteProvider.open(path: path)
            return try await Self.using(provider, body, dispose: {})
        case .postgres:
            guard let url = Self.postgresURL else { throw TestBackendUnavailable() }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let separator = url.contains("?") ? "&" : "?"
            let provider = try await PostgresProvider.open(
                PostgresSettings(url: url + separator + "search_path=\(schema)&pool_size=8"))
            return try await Self.using(
                provider,
                { provider in
                    try await provider.withWriteTransaction { try await $0.raw("CREATE SCHEMA \(ident: schema)").run() }
                    return try await body(provider)
                },
                dispose: {
                    _ = try? await provider.withWriteTransaction {
                        try await $0.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
                    }
                })
        }
    }

    private static func using<T>(
        _ provider: any DatabaseProvider, _ body: (any DatabaseProvider) async throws -> T,
        dispose: () async -> Void
    ) async throws -> T {
        do {
            let result = try await body(provider)
            await dispose()
            try await provider.close()
            return result
        } catch {
            await dispose()
            try? await provider.close()
            throw error
        }
    }
}

struct TestBackendUnavailable: Error {}

/// An error from a test body, with the engine it ran on.
struct OnBackend: Error, CustomStringConvertible {
    let backend: TestBackend
    let error: any Error
    var description: String { "on \(backend): \(String(reflecting: error))" }
}

/// Runs `body` once on every available engine, naming the engine in any error it throws.
func forEachBackend<T>(_ body: (TestBackend) async throws -> T) async throws -> T {
    var result: T?
    for backend in TestBackend.available {
        do {
            result = try await body(backend)
        } catch let error as OnBackend {
            throw error
        } catch {
            throw OnBackend(backend: backend, error: error)
        }
    }
    return result!
}
