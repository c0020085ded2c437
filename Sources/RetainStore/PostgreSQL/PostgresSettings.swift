import Foundation

/// Where and how to reach a PostgreSQL server, read from a URL in libpq's style:
///
///     postgres://user:password@host:5432/database?sslmode=prefer&pool_size=16&connect_timeout=10&search_path=retain
///
/// `sslmode` follows libpq: `disable`, `prefer` (the default: TLS when the server offers it), `require` (TLS, the
/// certificate not checked), `verify-ca` / `verify-full` (TLS with the certificate checked against the system's
/// roots, or `sslrootcert=PATH`). `search_path` puts Retain's tables into a schema of their own.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// A PEM file of the certificate authorities to trust (`sslrootcert`), instead of the system's.
    public var rootCertificatePath: String?
    /// Connections each `retain` process keeps at most (`pool_size`, 2 to 1000).
    public var poolSize: Int
    /// Seconds to wait for a connection to open (`connect_timeout`).
    public var connectTimeout: Int
    /// The schema for Retain's tables (`search_path`), nil for the server's default (`public`).
    public var searchPath: String?

    /// Whether `text` names a PostgreSQL server rather than an SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads a `postgres://` URL.
    /// - Throws: `StoreError.unavailable` naming the part of the URL that is wrong.
    public init(url text: String, poolSize defaultPoolSize: Int = 10) throws {
        guard Self.isURL(text), let url = URLComponents(string: text) else {
            throw StoreError.unavailable("\(Self.redacted(text)) is not a postgres:// URL")
        }
        guard let host = url.host, !host.isEmpty else {
            throw StoreError.unavailable("\(Self.redacted(text)) names no host (postgres://user@host:5432/database)")
        }
        self.host = host
        self.port = url.port ?? 5432
        self.username = url.user?.removingPercentEncoding ?? "postgres"
        self.password = url.password?.removingPercentEncoding
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        self.database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        self.tls = .prefer
        self.poolSize = defaultPoolSize
        self.connectTimeout = 10
        for item in url.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw StoreError.unavailable(
                        "sslmode=\(value) is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "sslrootcert": rootCertificatePath = value
            case "pool_size":
                // Two at least: a migration holds its lock on one connection and migrates on another.
                guard let size = Int(value), (2...1_000).contains(size) else {
                    throw StoreError.unavailable("pool_size=\(value) must be a whole number from 2 to 1000")
                }
                poolSize = size
            case "connect_timeout":
                guard let seconds = Int(value), (1...3_600).contains(seconds) else {
                    throw StoreError.unavailable("connect_timeout=\(value) must be whole seconds from 1 to 3600")
                }
                connectTimeout = seconds
            case "search_path":
                guard value.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil else {
                    throw StoreError.unavailable(
                        "search_path=\(value) must be one schema name: lower-case letters, digits and _")
                }
                searchPath = value
            default:
                throw StoreError.unavailable(
                    "unknown parameter \(item.name) in the database URL (known: sslmode, sslrootcert, pool_size, "
                        + "connect_timeout, search_path)")
            }
        }
    }

    /// The URL without its password, for messages and logs.
    public var displayName: String {
        "postgres://\(username)@\(host):\(port)/\(database)" + (searchPath.map { "?search_path=\($0)" } ?? "")
    }

    /// `text` with any password replaced by `***`.
    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #"(://[^:/@]*):[^@]*@"#, with: "$1:***@", options: .regularExpression)
    }
}
