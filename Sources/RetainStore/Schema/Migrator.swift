import Foundation
import SQLKit

/// Brings a database up to the schema this build knows, one recorded migration at a time, each in its own
/// transaction. Refuses a database that a newer build has migrated further.
public struct Migrator: Sendable {
    public struct Report: Sendable, Equatable {
        /// Versions applied by this run, in order.
        public var applied: [Int]
        /// The schema version after the run.
        public var version: Int
    }

    let provider: any DatabaseProvider

    public init(provider: any DatabaseProvider) {
        self.provider = provider
    }

    public static var latestVersion: Int { Migrations.latestVersion }

    /// Applies every migration the database lacks. Processes that start together on one database migrate one at
    /// a time (the provider's schema lock), and each migration checks again inside its transaction that no one
    /// applied it meanwhile.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> Report {
        try await provider.withSchemaLock {
            var applied: [Int] = []
            let current = try await currentVersion()
            if current > Migrations.latestVersion {
                throw StoreError.schemaTooNew(database: current, supported: Migrations.latestVersion)
            }
            for migration in Migrations.all where migration.version > current {
                let didApply = try await provider.withWriteTransaction { database in
                    guard try await Self.version(in: database) < migration.version else { return false }
                    for statement in migration.statements {
                        try await database.raw(SQLQueryString(statement)).run()
                    }
                    try await database.insert(into: "schema_migrations")
                        .columns("version", "name", "applied_at")
                        .values(
                            SQLBind(Int64(migration.version)), SQLBind(migration.name),
                            SQLBind(StoreCoding.millis(now))
                        )
                        .run()
                    return true
                }
                if didApply { applied.append(migration.version) }
            }
            return Report(applied: applied, version: max(current, Migrations.latestVersion))
        }
    }

    /// The highest applied version, 0 for an empty database.
    public func currentVersion() async throws -> Int {
        try await provider.withWriteTransaction { database in
            // Created here rather than in `migrate` so that asking an empty database gives 0 instead of an error.
            try await database.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
            return try await Self.version(in: database)
        }
    }

    private static func version(in database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("SELECT MAX(version) AS version FROM schema_migrations").first()
        return Int(try row?.decode(column: "version", as: Int64?.self) ?? 0)
    }
}
