import ArgumentParser
import Foundation
import Logging
import RetainCore
import RetainStore

/// `retain copy --from … --to …`: moves a whole Retain database to another engine.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every program from one Retain database to another, empty one (SQLite ⇄ PostgreSQL).",
        discussion: """
            Moves a shop from the embedded SQLite file to a PostgreSQL server, or back. Both databases are \
            migrated first; the destination must be empty. The source is read as one consistent snapshot and the \
            destination written in one transaction: before it commits, the row counts of every table and each \
            program's customers, entries and points are compared on both sides, and a difference writes nothing. \
            Stop `retain serve` on the source first: orders taken during the copy are not in it (the copy says so).

              retain copy --from retain.sqlite --to postgres://retain@db:5432/retain
            """)

    @Option(help: ArgumentHelp("The database to copy: a path, sqlite:PATH or postgres://… URL.", valueName: "path|url"))
    var from: String

    @Option(
        help: ArgumentHelp("The empty database to copy into (created if it is an SQLite file).", valueName: "path|url"))
    var to: String

    @Option(help: ArgumentHelp("Rows read per page (inserted up to 1,000 per statement).", valueName: "n"))
    var pageSize: Int = 2_000

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...50_000).contains(pageSize) else { throw ValidationError("--page-size must be from 1 to 50000") }
        let source = try location(from, option: "--from")
        let destination = try location(to, option: "--to")
        if source == destination { throw ValidationError("--from and --to name the same database") }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--from \(path): no such database")
        }
    }

    func run() async throws {
        let logger = Runtime.quietLogger()
        let source = try location(from, option: "--from")
        let destination = try location(to, option: "--to")
        let reader = try await open(source, logger: logger)
        let writer: any DatabaseProvider
        do {
            writer = try await open(destination, logger: logger)
        } catch {
            try? await reader.close()
            throw error
        }
        do {
            for (provider, location) in [(reader, source), (writer, destination)] {
                let report = try await Migrator(provider: provider).migrate()
                if !report.applied.isEmpty && !output.json {
                    printError("\(location): migrated to schema \(report.version)")
                }
            }
            let progress = CopyProgress(quiet: output.json)
            let report = try await DatabaseCopy(from: reader, to: writer, pageSize: pageSize).run {
                table, done, total in
                progress.update(table: table, done: done, total: total)
            }
            try await reader.close()
            try await writer.close()
            try print(report)
            if !report.sourceChanged.isEmpty {
                let changes = report.sourceChanged.sorted { $0.key < $1.key }.map {
                    "\($0.key) \($0.value > 0 ? "+" : "")\($0.value)"
                }
                throw CLIError(
                    "the source changed during the copy (\(changes.joined(separator: ", "))): those rows are not in \(destination). "
                        + "Stop retain serve on the source, then copy again into a new, empty database.")
            }
        } catch {
            try? await reader.close()
            try? await writer.close()
            if let failure = error as? DatabaseCopy.Failure { throw CLIError("\(failure)") }
            throw error
        }
    }

    private func print(_ report: DatabaseCopy.Report) throws {
        if output.json { return try printJSON(report) }
        printTable(
            ["TABLE", "SOURCE ROWS", "COPIED"],
            report.tables.map { [$0.table, "\($0.source)", "\($0.copied)"] })
        Swift.print("")
        printTable(
            ["PROGRAM", "CUSTOMERS", "LEDGER ENTRIES", "POINTS (LEDGER SUM)", "POINTS (OPEN LOTS)"],
            report.programs.map {
                ["\($0.programID)", "\($0.customers)", "\($0.entries)", "\($0.points)", "\($0.lotPoints)"]
            })
        Swift.print("\ncopied \(from) → \(displayName(to)): every count and total above is the same on both sides")
    }

    private func location(_ text: String, option: String) throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(text)
        } catch {
            throw ValidationError("\(option): \(error)")
        }
    }

    private func displayName(_ text: String) -> String { (try? DatabaseLocation(text).description) ?? text }

    private func open(_ location: DatabaseLocation, logger: Logger) async throws -> any DatabaseProvider {
        do {
            return try await location.open(logger: logger)
        } catch {
            throw CLIError("cannot open the database \(location): \(error)")
        }
    }
}

/// One line per table on standard error as the copy goes (at most every 10%).
final class CopyProgress: @unchecked Sendable {
    private let quiet: Bool
    private let lock = NSLock()
    private var reported: [String: Int] = [:]

    init(quiet: Bool) { self.quiet = quiet }

    func update(table: String, done: Int, total: Int) {
        guard !quiet else { return }
        let step = total == 0 ? 10 : min(10, done * 10 / total)
        lock.lock()
        defer { lock.unlock() }
        guard step > reported[table, default: 0] || (done == total && reported[table] == nil) else { return }
        reported[table] = step
        printError("copying \(table): \(done) of \(total) rows")
    }
}
