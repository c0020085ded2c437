import ArgumentParser
import Foundation
import Logging
import RetainCore
import RetainServices
import RetainStore

/// The composition root: opens the database, applies migrations, and builds the services on top. Every command
/// goes through `Runtime.with`, which also closes the database however the command ends.
struct Runtime {
    let provider: any DatabaseProvider
    let store: SQLLoyaltyStore
    let environment: ServiceEnvironment
    let service: LoyaltyService
    let administration: Administration
    let migration: Migrator.Report

    static func with<T>(
        _ options: DatabaseOptions, logger: Logger = Runtime.quietLogger(),
        _ body: (Runtime) async throws -> T
    ) async throws -> T {
        let location = try options.location()
        let provider: any DatabaseProvider
        do {
            provider = try await location.open(
                synchronous: SQLiteProvider.Synchronous(rawValue: options.synchronous.uppercased()) ?? .full,
                logger: logger)
        } catch {
            throw CLIError("cannot open the database \(location): \(error)")
        }
        do {
            let report = try await Migrator(provider: provider).migrate()
            let store = SQLLoyaltyStore(provider: provider)
            let environment = ServiceEnvironment(store: store, logger: logger)
            let runtime = Runtime(
                provider: provider, store: store, environment: environment,
                service: LoyaltyService(environment: environment),
                administration: Administration(environment: environment),
                migration: report)
            try await runtime.administration.ensureDefaultProgram(currency: Runtime.defaultCurrency())
            let result = try await body(runtime)
            try await provider.close()
            return result
        } catch {
            try? await provider.close()
            throw error
        }
    }

    /// The default program's currency on first start: $RETAIN_CURRENCY, else EUR.
    static func defaultCurrency() throws -> Currency {
        let code = ProcessInfo.processInfo.environment["RETAIN_CURRENCY"] ?? "EUR"
        guard let currency = Currency(code: code) else {
            throw CLIError("RETAIN_CURRENCY=\(code) is not an ISO 4217 code")
        }
        return currency
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "retain")
        logger.logLevel = .warning
        return logger
    }
}

/// An error the CLI reports as one readable line and exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints JSON in the API's dialect.
func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try APIJSON.makeEncoder(pretty: true).encode(value), as: UTF8.self))
}

/// Prints rows as a table with aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in
        ([header[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    print(line(header))
    print(line(widths.map { String(repeating: "─", count: $0) }))
    for row in rows { print(line(row)) }
}

/// Writes a line to standard error (progress and notes that must not mix with the output a program reads).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
