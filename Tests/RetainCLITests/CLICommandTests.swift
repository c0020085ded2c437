import Foundation
import Testing

@Suite("retain command line")
struct CLICommandTests {
    @Test(
        "every command explains itself with --help",
        arguments: [
            [], ["serve"], ["migrate"], ["keys"], ["keys", "create"], ["keys", "list"], ["keys", "revoke"],
            ["programs", "create"], ["programs", "list"], ["customer", "show"], ["rules", "load"], ["rules", "export"],
            ["expire"], ["import", "orders"], ["import", "customers"], ["program", "export"], ["program", "load"],
            ["program", "diff"], ["program", "dry-run"], ["program", "report"], ["report", "liability"],
            ["report", "expiring"],
        ])
    func help(_ command: [String]) throws {
        let result = try CLIRunner.run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE:"))
        #expect(result.stdout.contains("OVERVIEW:") || command.isEmpty == false)
        if !command.isEmpty && command != ["keys"] {
            #expect(result.stdout.contains("--database"), "\(command) should take --database")
        }
    }

    @Test("migrate creates the schema once and reports it")
    func migrate() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let first = try CLIRunner.run(["migrate", "--database", database])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("applied migrations 1"))
            let second = try CLIRunner.run(["migrate", "--database", database])
            #expect(second.stdout.contains("is up to date"))
            let viaEnvironment = try CLIRunner.run(["migrate"], environment: ["RETAIN_DATABASE": database])
            #expect(viaEnvironment.stdout.contains("is up to date"))
        }
    }

    @Test("keys are created once with a visible secret, listed without it, and revoked")
    func keys() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let created = try CLIRunner.run([
                "keys", "create", "--database", database, "--name", "web shop", "--scope", "read", "--json",
            ])
            #expect(created.status == 0, "\(created.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: String]
            let secret = try #require(json?["secret"])
            let id = try #require(json?["id"])
            #expect(secret.hasPrefix("rtn_") && secret.count == 44)
            let listed = try CLIRunner.run(["keys", "list", "--database", database])
            #expect(listed.stdout.contains(id))
            #expect(listed.stdout.contains("web shop"))
            #expect(!listed.stdout.contains(secret))
            let revoked = try CLIRunner.run(["keys", "revoke", id, "--database", database])
            #expect(revoked.status == 0)
            let after = try CLIRunner.run(["keys", "list", "--database", database, "--json"])
            let keys = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]]
            #expect(keys?.first?["revoked_at"] as? String != nil)
            let unknown = try CLIRunner.run(["keys", "revoke", "key_nope", "--database", database])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("key key_nope not found"))
            let badScope = try CLIRunner.run([
                "keys", "create", "--database", database, "--name", "x", "--scope", "root",
            ])
            #expect(badScope.status != 0)
            #expect(badScope.stderr.contains("--scope must be read, write or admin"))
        }
    }

    @Test("a bad rules file names the file and the field, and changes nothing")
    func rulesLoad() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
            let good = folder.appendingPathComponent("rules.json")
            try Data(
                #"{"rules":[{"id":"base","name":"1 per 1.00","kind":"points_per_amount","points":1,"per_amount":100}]}"#
                    .utf8
            )
            .write(to: good)
            let loaded = try CLIRunner.run(["rules", "load", good.path, "--database", database])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            #expect(loaded.stdout.contains("loaded 1 rules"))

            let invalid = folder.appendingPathComponent("invalid.json")
            try Data(#"{"rules":[{"id":"x","name":"no amount","kind":"points_per_amount","points":1}]}"#.utf8).write(
                to: invalid)
            let refused = try CLIRunner.run(["rules", "load", invalid.path, "--database", database])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(invalid.path))
            #expect(refused.stderr.contains("rules[0].per_amount"))

            let broken = folder.appendingPathComponent("broken.json")
            try Data(#"{"rules":[{"id":"x",}"#.utf8).write(to: broken)
            let unreadable = try CLIRunner.run(["rules", "load", broken.path, "--database", database])
            #expect(unreadable.status != 0)
            #expect(unreadable.stderr.contains("not valid JSON"))

            let exported = try CLIRunner.run(["rules", "export", "--database", database])
            #expect(exported.stdout.contains("\"id\" : \"base\""))
            #expect(!exported.stdout.contains("\"id\" : \"x\""))
        }
    }

    @Test("programs are created with their own currency and listed")
    func programs() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let created = try CLIRunner.run([
                "programs", "create", "retail", "--currency", "GBP", "--time-zone", "Europe/London", "--database",
                database,
            ])
            #expect(created.status == 0, "\(created.stderr)")
            let listed = try CLIRunner.run(["programs", "list", "--database", database])
            #expect(listed.stdout.contains("retail"))
            #expect(listed.stdout.contains("GBP"))
            #expect(listed.stdout.contains("default"))
            let duplicate = try CLIRunner.run([
                "programs", "create", "retail", "--currency", "GBP", "--database", database,
            ])
            #expect(duplicate.status != 0)
            let badCurrency = try CLIRunner.run([
                "programs", "create", "x", "--currency", "ZZZ", "--database", database,
            ])
            #expect(badCurrency.stderr.contains("ZZZ is not an ISO 4217 code"))
        }
    }
}
