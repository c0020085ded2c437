import Foundation
import PropertyBased
@testable import RetainStore
import SQLKit
import Testing

/// The bulk statements of the store (`insertRows`, `updateRows`) bind values straight through each engine's driver
/// and group updates that share values; whatever mix of shared and distinct values a batch has, every row ends up
/// with exactly its own values, on both engines.
@Suite struct BulkWriteTests {
    /// Per row: an `a` from a small range (so that many rows share it) and a `b` that is sometimes null.
    static let updates = zip(Gen.int(in: 0...3), Gen.int(in: 0...4)).array(of: 0...700)

    @Test func everyRowGetsItsOwnValuesWhateverTheMixOfSharedAndDistinctOnes() async throws {
        try await forEachBackend { backend in
            try await backend.withEmptyDatabase { provider in
                try await provider.withWriteTransaction { database in
                    try await database.raw(
                        """
                        CREATE TABLE bulk_probe (program_id TEXT NOT NULL, id TEXT NOT NULL, a BIGINT NOT NULL,
                        b TEXT, PRIMARY KEY (program_id, id))
                        """
                    ).run()
                }
                await propertyCheck(count: 12, input: Self.updates) { updates in
                    do {
                        let written = try await provider.withWriteTransaction { database in
                            let session = SQLStoreSession(database: database, programID: "p", rowLockClause: nil)
                            try await database.raw("DELETE FROM bulk_probe").run()
                            // Rows of another program with the same ids must not change.
                            try await SQLStoreSession(database: database, programID: "q", rowLockClause: nil)
                                .insertRows(
                                    "bulk_probe", columns: ["program_id", "id", "a", "b"],
                                    rows: (0..<updates.count).map { ["q", "r\($0)", Int64(-1), String?.none] })
                            try await session.insertRows(
                                "bulk_probe", columns: ["program_id", "id", "a", "b"],
                                rows: (0..<updates.count).map { ["p", "r\($0)", Int64(-1), "before"] })
                            let rows: [(key: String, values: [any Encodable & Sendable])] = updates.enumerated()
                                .map { index, update in
                                    ("r\(index)", [Int64(update.0), update.1 == 0 ? nil : "b\(update.1 % 2)"])
                                }
                            try await session.updateRows("bulk_probe", key: "id", columns: ["a", "b"], rows: rows)
                            return try await database.raw("SELECT program_id, id, a, b FROM bulk_probe").all()
                                .map { row in
                                    (
                                        try row.decode(column: "program_id", as: String.self),
                                        try row.decode(column: "id", as: String.self),
                                        try row.decode(column: "a", as: Int64.self),
                                        try row.decode(column: "b", as: String?.self)
                                    )
                                }
                        }
                        #expect(written.count == 2 * updates.count)
                        for (program, id, a, b) in written {
                            let index = Int(id.dropFirst())!
                            if program == "q" {
                                #expect(a == -1 && b == nil, "row \(id) of another program changed")
                            } else {
                                let update = updates[index]
                                #expect(a == Int64(update.0), "row \(id): a")
                                #expect(b == (update.1 == 0 ? nil : "b\(update.1 % 2)"), "row \(id): b")
                            }
                        }
                    } catch {
                        Issue.record("\(backend): \(error)")
                    }
                }
            }
        }
    }

    /// Inserts held by `combiningInserts` (one statement on PostgreSQL) keep their order with the body's other
    /// statements, and a failing one leaves nothing of the transaction behind.
    @Test func combinedInsertsKeepStatementOrderAndFailWhole() async throws {
        try await forEachBackend { backend in
            try await backend.withEmptyDatabase { provider in
                try await provider.withWriteTransaction { database in
                    for table in ["probe_a", "probe_b"] {
                        try await database.raw(
                            """
                            CREATE TABLE \(unsafeRaw: table) (program_id TEXT NOT NULL, id TEXT NOT NULL,
                            n BIGINT NOT NULL, PRIMARY KEY (program_id, id))
                            """
                        ).run()
                    }
                }
                let count: @Sendable (any SQLDatabase, String) async throws -> Int = { database, table in
                    try await database.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!
                        .decode(column: "n", as: Int.self)
                }
                let seen = try await provider.withWriteTransaction { database in
                    let session = SQLStoreSession(database: database, programID: "p", rowLockClause: nil)
                    return try await session.combiningInserts {
                        try await session.insertRows(
                            "probe_a", columns: ["program_id", "id", "n"],
                            rows: (0..<300).map { ["p", "a\($0)", Int64($0)] })
                        try await session.insertRows(
                            "probe_b", columns: ["program_id", "id", "n"], rows: [["p", "b0", Int64(0)]])
                        // A read inside the body sees the rows held so far.
                        let seen = try await count(database, "probe_a")
                        try await session.insertRows(
                            "probe_b", columns: ["program_id", "id", "n"], rows: [["p", "b1", Int64(1)]])
                        try await session.insertRows(
                            "probe_a", columns: ["program_id", "id", "n"], rows: [["p", "a300", Int64(300)]])
                        return seen
                    }
                }
                #expect(seen == 300)
                let stored = try await provider.withReadTransaction { database in
                    (try await count(database, "probe_a"), try await count(database, "probe_b"))
                }
                #expect(stored == (301, 2))
                // b1 exists already: the combined statement fails, and the new a-rows go with it.
                let failure = await caught {
                    try await provider.withWriteTransaction { database in
                        let session = SQLStoreSession(database: database, programID: "p", rowLockClause: nil)
                        try await session.combiningInserts {
                            try await session.insertRows(
                                "probe_a", columns: ["program_id", "id", "n"], rows: [["p", "a900", Int64(900)]])
                            try await session.insertRows(
                                "probe_b", columns: ["program_id", "id", "n"], rows: [["p", "b1", Int64(1)]])
                        }
                    }
                }
                #expect(failure != nil)
                let after = try await provider.withReadTransaction { database in
                    (try await count(database, "probe_a"), try await count(database, "probe_b"))
                }
                #expect(after == (301, 2))
            }
        }
    }
    /// On SQLite bulk writes go to the connection without waiting for them (`PendingWrites`): a failing one that no
    /// other statement follows still fails its transaction (at COMMIT), a body that fails after queued writes
    /// leaves none of them, and the next transaction works. Both engines must behave the same.
    @Test func writesSentAheadFailOrRollBackWithTheirTransaction() async throws {
        try await forEachBackend { backend in
            try await backend.withEmptyDatabase { provider in
                try await provider.withWriteTransaction { database in
                    try await database.raw(
                        "CREATE TABLE ahead (program_id TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (program_id, id))"
                    ).run()
                }
                let insert: @Sendable (WriteDatabase, [String]) async throws -> Void = { database, ids in
                    try await SQLStoreSession(database: database, programID: "p", rowLockClause: nil)
                        .insertRows("ahead", columns: ["program_id", "id"], rows: ids.map { ["p", $0] })
                }
                let stored: @Sendable () async throws -> [String] = {
                    try await provider.withReadTransaction { database in
                        try await database.raw("SELECT id FROM ahead ORDER BY id").all()
                            .map { try $0.decode(column: "id", as: String.self) }
                    }
                }
                try await provider.withWriteTransaction { try await insert($0, ["a", "b"]) }
                // The duplicate "a" is the body's last statement.
                let duplicate = await caught {
                    try await provider.withWriteTransaction { database in
                        try await insert(database, ["c", "d"])
                        try await insert(database, ["a"])
                    }
                }
                #expect(duplicate != nil, "\(backend): a failing write must fail its transaction")
                #expect(try await stored() == ["a", "b"], "\(backend)")
                struct Abandon: Error {}
                let abandoned = await caught {
                    try await provider.withWriteTransaction { database in
                        try await insert(database, ["e", "f"])
                        throw Abandon()
                    }
                }
                #expect(abandoned is Abandon, "\(backend)")
                #expect(try await stored() == ["a", "b"], "\(backend)")
                // A failing write still queued when the body fails for another reason: the rollback must run.
                let both = await caught {
                    try await provider.withWriteTransaction { database in
                        try await insert(database, ["b"])
                        throw Abandon()
                    }
                }
                #expect(both != nil, "\(backend)")
                try await provider.withWriteTransaction { try await insert($0, ["g"]) }
                #expect(try await stored() == ["a", "b", "g"], "\(backend)")
            }
        }
    }
}
