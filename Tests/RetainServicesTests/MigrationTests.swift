import Foundation
import RetainStore
import SQLKit
import Testing

@Suite struct MigrationTests {
    /// Opens a fresh database, runs `body`, and closes it in every case.
    func withProvider(_ body: (SQLiteProvider) async throws -> Void) async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let provider = try await SQLiteProvider.open(path: path)
        do {
            try await body(provider)
            try await provider.close()
        } catch {
            try? await provider.close()
            throw error
        }
    }

    @Test func migratingTwiceAppliesNothingTheSecondTime() async throws {
        try await withProvider { provider in
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
        try await withProvider { provider in
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
        try await withProvider { provider in
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
                try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'customers'").all()
                    .count
            }
            #expect(tables == 0)
        }
    }
}
