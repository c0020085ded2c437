import Foundation
@testable import RetainStore
import Testing

/// The schema stays within what distributed PostgreSQL-compatible engines (Citus, CockroachDB, YugabyteDB) accept,
/// and every table can be distributed by program: docs/scaling.md explains each rule.
@Suite struct SchemaPortabilityTests {
    static let statements = Migrations.all.flatMap(\.statements)

    /// Constructs that one of the engines rejects or that would tie the schema to one node.
    static let rejected: [(pattern: String, why: String)] = [
        (#"\b(BIG)?SERIAL\b"#, "sequences as ids: one counter for the whole cluster"),
        (#"\bSEQUENCE\b|\bnextval\b|\bIDENTITY\b|\bAUTOINCREMENT\b"#, "sequences as ids"),
        (#"\bTRIGGER\b|\bFUNCTION\b|\bPROCEDURE\b|\bCREATE\s+RULE\b"#, "server-side code"),
        (#"\bINHERITS\b|\bEXCLUDE\b|\bDEFERRABLE\b"#, "not supported by CockroachDB"),
        (#"\bEXTENSION\b|\bLISTEN\b|\bNOTIFY\b|\bpg_advisory"#, "PostgreSQL-only machinery"),
        (#"\bUNLOGGED\b|\bTEMP(ORARY)?\b|\bWITHOUT\s+ROWID\b|\bROWID\b"#, "engine-specific storage"),
        (#"\bCOLLATE\b|\bGENERATED\b|\bJSONB?\b|\[\]|\bENUM\b"#, "engine-specific types"),
        (#"\bON\s+(DELETE|UPDATE)\s+CASCADE\b"#, "cascades across distributed tables"),
    ]

    @Test func noStatementUsesAConstructADistributedEngineRejects() {
        for statement in Self.statements {
            for (pattern, why) in Self.rejected {
                #expect(
                    statement.range(of: pattern, options: [.regularExpression, .caseInsensitive]) == nil,
                    "\(why): \(statement)")
            }
        }
    }

    @Test func everyColumnIsTextOrBigint() {
        for statement in Self.statements where statement.contains("CREATE TABLE") || statement.contains("ADD COLUMN") {
            let types = statement.matches(
                of: /\b([a-z_]+) (TEXT|BIGINT|INTEGER|REAL|BOOLEAN|BLOB|NUMERIC|VARCHAR|DATE|TIMESTAMP)\b/
            )
            .map { String($0.output.2) }
            #expect(!types.isEmpty, "\(statement)")
            #expect(Set(types).isSubset(of: ["TEXT", "BIGINT"]), "\(statement)")
        }
    }

    /// Tables kept whole on every node (Citus reference tables): the program list and the API keys, which are
    /// looked up by hash before the program is known.
    static let referenceTables: Set<String> = ["programs", "api_keys"]

    @Test func everyKeyAndIndexOfAProgramsDataStartsWithTheProgram() {
        var tables = 0
        for statement in Self.statements {
            if let table = statement.firstMatch(of: /CREATE TABLE ([a-z_]+)/)?.output.1 {
                guard !Self.referenceTables.contains(String(table)) else { continue }
                tables += 1
                let key = statement.firstMatch(of: /PRIMARY KEY \(([a-z_, ]+)\)/)?.output.1
                #expect(key?.hasPrefix("program_id") == true, "\(table): primary key \(key ?? "none")")
            }
            if let index = statement.firstMatch(of: /CREATE (UNIQUE )?INDEX [a-z_]+ ON ([a-z_]+) \(([a-z_, ]+)\)/) {
                guard !Self.referenceTables.contains(String(index.output.2)) else { continue }
                #expect(index.output.3.hasPrefix("program_id"), "\(statement)")
            }
        }
        #expect(tables == StoreTables.all.count - Self.referenceTables.count + 1, "every program table was checked")
    }

    @Test func foreignKeysPointOnlyAtTheProgramsTable() {
        for statement in Self.statements {
            for reference in statement.matches(of: /REFERENCES ([a-z_]+) \(([a-z_]+)\)/) {
                #expect(reference.output.1 == "programs" && reference.output.2 == "id", "\(statement)")
            }
        }
    }
}
