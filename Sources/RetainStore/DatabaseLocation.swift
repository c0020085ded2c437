import Logging

/// Where a Retain database lives, as the user writes it: a file path or `sqlite:PATH` for the embedded SQLite
/// default, or a `postgres://` URL for a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Reads `text`; `poolSize` is the PostgreSQL pool size unless the URL sets `pool_size`.
    /// - Throws: `StoreError.unavailable` for a malformed URL.
    public init(_ text: String, poolSize: Int = 10) throws {
        if PostgresSettings.isURL(text) {
            self = .postgres(try PostgresSettings(url: text, poolSize: poolSize))
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else if text.isEmpty {
            throw StoreError.unavailable("the database location is empty")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location for messages, without a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let settings): return settings.displayName
        }
    }

    /// Opens the database (an SQLite file is created if missing; a PostgreSQL database must exist).
    /// - Parameters:
    ///   - synchronous: SQLite's durability of each commit; PostgreSQL's is the server's setting.
    public func open(synchronous: SQLiteProvider.Synchronous = .full, logger: Logger) async throws
        -> any DatabaseProvider
    {
        switch self {
        case .sqlite(let path):
            return try await SQLiteProvider.open(path: path, synchronous: synchronous, logger: logger)
        case .postgres(let settings): return try await PostgresProvider.open(settings, logger: logger)
        }
    }
}
