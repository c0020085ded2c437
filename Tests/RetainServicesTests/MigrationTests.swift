import Foundation
import RetainStore
import SQLKit
import Testing

@Suite struct MigrationTests {
    /// Runs `body` on a fresh empty database of every available engine.
    func withProvider(_ body: (any DatabaseProvider, TestBackend) async throws -> Void) async throws {
        try await forEachBackend { backend in
            try await backend.withEmptyDatabase { try await body($0, backend) }
        }
    }

    @Test func migratingTwiceAppliesNothingTheSecondTime() async throws {
        try await withProvider { provider, backend in
            let migrator = Migrator(provider: provider)
            #expect(try await migrator.currentVersion() == 0)
            let first = try await migrator.migrate()
            #expect(first.applied == Array(1...Migrator.latestVersion))
            #expect(first.version == Migrator.latestVersion)
            let second = try await migrator.migrate()
            #expect(second.applied.isEmpty)
            #expect(second.version == Migrator.latestVersion)
            let rows = try await provider.withReadTransaction { db in
                try await db.raw("SELECT COUNT(*) AS n FROM schema_migrations").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(rows == Migrator.latestVersion)
        }
    }

    @Test func aDatabaseFromANewerRetainIsRefused() async throws {
        try await withProvider { provider, backend in
            try await Migrator(provider: provider).migrate()
            let newer = Migrator.latestVersion + 1
            try await provider.withWriteTransaction { db in
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: newer), 'from the future', 0)"
                ).run()
            }
            let error = await caught { try await Migrator(provider: provider).migrate() }
            guard case .schemaTooNew(let database, let supported)? = error as? StoreError else {
                Issue.record("expected schemaTooNew, got \(String(describing: error))")
                return
            }
            #expect(database == newer && supported == Migrator.latestVersion)
        }
    }

    @Test func aFreshDatabaseAtANewerVersionIsRefusedBeforeAnythingIsCreated() async throws {
        try await withProvider { provider, backend in
            try await provider.withWriteTransaction { db in
                try await db.raw(
                    "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
                ).run()
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)")
                    .run()
            }
            let error = await caught { try await Migrator(provider: provider).migrate() }
            #expect(error is StoreError)
            let tables = try await provider.withReadTransaction { db in
                switch backend {
                case .sqlite:
                    try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'customers'")
                        .all().count
                case .postgres:
                    try await db.raw(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'customers'"
                    ).all().count
                }
            }
            #expect(tables == 0)
        }
    }
}
