import Foundation
import RetainCore
import SQLKit

/// Programs and API keys: the records above any one program.
struct SQLInstanceRepository: InstanceRepository {
    let provider: any DatabaseProvider

    func programs() async throws -> [Program] {
        try await provider.withReadTransaction { database in
            let rows = try await database.select().columns("id", "name", "settings", "created_at").from("programs")
                .orderBy("id").all()
            return try rows.map(Self.program)
        }
    }

    func program(id: String) async throws -> Program? {
        try await provider.withReadTransaction { database in
            let row = try await database.select().columns("id", "name", "settings", "created_at").from("programs")
                .where("id", .equal, id).first()
            return try row.map(Self.program)
        }
    }

    private static func program(_ row: any SQLRow) throws -> Program {
        Program(
            id: try row.string("id"), name: try row.string("name"),
            settings: try StoreCoding.decode(ProgramSettings.self, from: row.string("settings")),
            createdAt: try row.date("created_at"))
    }

    func insertProgram(_ program: Program) async throws {
        try await provider.withWriteTransaction { database in
            try await database.insert(into: "programs").columns("id", "name", "settings", "created_at")
                .values(
                    SQLBind(program.id), SQLBind(program.name), SQLBind(try StoreCoding.document(program.settings)),
                    SQLBind(StoreCoding.millis(program.createdAt))
                )
                .run()
        }
    }

    func updateProgram(_ program: Program) async throws {
        try await provider.withWriteTransaction { database in
            try await database.update("programs")
                .set("name", to: SQLBind(program.name))
                .set("settings", to: SQLBind(try StoreCoding.document(program.settings)))
                .where("id", .equal, program.id)
                .run()
        }
    }

    func insertKey(_ key: APIKey) async throws {
        try await provider.withWriteTransaction { database in
            try await database.insert(into: "api_keys")
                .columns("id", "program_id", "name", "prefix", "hash", "scope", "created_at", "revoked_at")
                .values(
                    SQLBind(key.id), SQLBind(key.programID), SQLBind(key.name), SQLBind(key.prefix),
                    SQLBind(key.hash), SQLBind(key.scope.rawValue), SQLBind(StoreCoding.millis(key.createdAt)),
                    SQLBind(StoreCoding.millis(key.revokedAt))
                )
                .run()
        }
    }

    func keys(programID: String?) async throws -> [APIKey] {
        try await provider.withReadTransaction { database in
            let select = database.select()
                .columns("id", "program_id", "name", "prefix", "hash", "scope", "created_at", "revoked_at")
                .from("api_keys")
            if let programID { select.where("program_id", .equal, programID) }
            return try await select.orderBy("created_at").orderBy("id").all().map(Self.key)
        }
    }

    func key(hash: String) async throws -> APIKey? {
        try await provider.withReadTransaction { database in
            try await database.select()
                .columns("id", "program_id", "name", "prefix", "hash", "scope", "created_at", "revoked_at")
                .from("api_keys").where("hash", .equal, hash).first().map(Self.key)
        }
    }

    private static func key(_ row: any SQLRow) throws -> APIKey {
        APIKey(
            id: try row.string("id"), programID: try row.string("program_id"), name: try row.string("name"),
            prefix: try row.string("prefix"), hash: try row.string("hash"),
            scope: Scope(rawValue: try row.string("scope")) ?? .read, createdAt: try row.date("created_at"),
            revokedAt: try row.optionalDate("revoked_at"))
    }

    func revokeKey(id: String, at: Date) async throws -> Bool {
        try await provider.withWriteTransaction { database in
            let existing = try await database.select().column("id").from("api_keys").where("id", .equal, id).first()
            guard existing != nil else { return false }
            try await database.update("api_keys").set("revoked_at", to: SQLBind(StoreCoding.millis(at)))
                .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null)
                .run()
            return true
        }
    }
}
