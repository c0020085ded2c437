import Foundation
import Testing

@Suite("retain program")
struct ProgramCommandTests {
    static let program = """
        {
          "rules": [
            {"id": "base", "name": "1 per 1.00", "kind": "points_per_amount", "points": 1, "per_amount": 100}
          ],
          "tiers": {
            "qualification": {"metric": "spend", "window": "calendar_year"},
            "tiers": [
              {"id": "member", "name": "Member", "threshold": 0},
              {"id": "gold", "name": "Gold", "threshold": 100000, "benefits": {"earn_multiplier": 2}}
            ]
          }
        }
        """

    @Test("load, diff and export round-trip; a bad file names file, line, column and field, and changes nothing")
    func loadDiffExport() async throws {
        try await CLIRunner.withTemporaryDatabase { database in
            let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
            let file = folder.appendingPathComponent("program.json")
            try Data(Self.program.utf8).write(to: file)

            let preview = try CLIRunner.run(["program", "diff", file.path, "--database", database, "--json"])
            #expect(preview.status == 0, "\(preview.stderr)")
            let changes = try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any]
            let paths = (changes?["changes"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
            #expect(paths == ["rules.base", "tiers.gold", "tiers.member", "tiers"])

            let loaded = try CLIRunner.run(["program", "load", file.path, "--database", database])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            #expect(loaded.stdout.contains("configuration version 1 (new)"))
            let dryRun = try CLIRunner.run(["program", "dry-run", file.path, "--days", "30", "--database", database])
            #expect(dryRun.status == 0 && dryRun.stdout.contains("0 orders"), "\(dryRun.stdout) \(dryRun.stderr)")
            let same = try CLIRunner.run(["program", "diff", file.path, "--database", database])
            #expect(same.stdout.contains("no changes"))

            let exported = try CLIRunner.run(["program", "export", "--database", database])
            let copy = folder.appendingPathComponent("copy.json")
            try Data(exported.stdout.utf8).write(to: copy)
            let reloaded = try CLIRunner.run(["program", "load", copy.path, "--database", database])
            #expect(reloaded.stdout.contains("configuration version 1 (unchanged)"), "\(reloaded.stdout)")

            let bad = folder.appendingPathComponent("bad.json")
            try Data(
                Self.program.replacingOccurrences(of: #""threshold": 100000"#, with: #""threshold": 0"#)
                    .replacingOccurrences(of: #""points": 1,"#, with: #""points": 0,"#).utf8
            ).write(to: bad)
            let refused = try CLIRunner.run(["program", "load", bad.path, "--database", database])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("\(bad.path):3:81: rules[0].points"), "\(refused.stderr)")
            #expect(refused.stderr.contains("\(bad.path):9:51: tiers.tiers[1].threshold"), "\(refused.stderr)")
            #expect(
                try CLIRunner.run(["program", "diff", file.path, "--database", database]).stdout.contains("no changes"))

            // The same program as YAML: exported, compared, and a bad field located by line and column.
            let yaml = try CLIRunner.run(["program", "export", "--yaml", "--database", database])
            #expect(yaml.stdout.contains("earn_multiplier: 2"), "\(yaml.stdout)")
            let yamlFile = folder.appendingPathComponent("program.yaml")
            try Data(yaml.stdout.utf8).write(to: yamlFile)
            #expect(
                try CLIRunner.run(["program", "diff", yamlFile.path, "--database", database]).stdout.contains(
                    "no changes"))
            let badYAML = folder.appendingPathComponent("bad.yaml")
            try Data(yaml.stdout.replacingOccurrences(of: "threshold: 100000", with: "threshold: -5").utf8).write(
                to: badYAML)
            let line =
                (yaml.stdout.components(separatedBy: "\n").firstIndex { $0.contains("threshold: 100000") } ?? -2) + 1
            let refusedYAML = try CLIRunner.run(["program", "load", badYAML.path, "--database", database])
            #expect(refusedYAML.status != 0)
            #expect(
                refusedYAML.stderr.contains("\(badYAML.path):\(line):16: tiers.tiers[1].threshold"),
                "\(refusedYAML.stderr)")

            let broken = folder.appendingPathComponent("broken.json")
            try Data("{\"rules\": [\n  1,, 2]}".utf8).write(to: broken)
            let unreadable = try CLIRunner.run(["program", "load", broken.path, "--database", database])
            #expect(unreadable.stderr.contains("line 2, column 5: not valid JSON"), "\(unreadable.stderr)")
        }
    }
}
