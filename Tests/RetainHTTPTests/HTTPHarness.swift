import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RetainCore
import RetainHTTP
import RetainServices
import RetainStore
import Testing

/// A real stack behind the router: a temporary SQLite file, the services, two programs (`default` in EUR and
/// `other` in EUR) with an admin key each.
struct HTTPHarness {
    let administration: Administration
    let service: LoyaltyService
    let keyA: String
    let keyB: String

    struct Reply: Sendable {
        var status: Int
        var contentType: String?
        var text: String
        var headers: HTTPFields = [:]

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// Runs `body` against a fresh stack and always closes the database (sqlite-nio kills the process if an open
    /// connection is freed) and deletes its files. `configure` may replace dependencies (a failing health check,
    /// a metrics renderer).
    static func run(
        _ mode: TestingSetup = .router,
        configure: @Sendable (inout HTTPDependencies) -> Void = { _ in },
        _ body: @Sendable (HTTPHarness, any TestClientProtocol) async throws -> Void
    )
        async throws
    {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "retain-http-\(UUID().uuidString).sqlite"
        ).path
        let provider = try await SQLiteProvider.open(path: path)
        do {
            try await Migrator(provider: provider).migrate()
            let environment = ServiceEnvironment(store: SQLLoyaltyStore(provider: provider))
            let administration = Administration(environment: environment)
            try await administration.ensureDefaultProgram(currency: Currency(code: "EUR")!)
            _ = try await administration.createProgram(
                id: "other", name: "Other shop", settings: ProgramSettings(currency: Currency(code: "EUR")!))
            let keyA = try await administration.createKey(program: "default", name: "a", scope: .admin).secret
            let keyB = try await administration.createKey(program: "other", name: "b", scope: .admin).secret
            let service = LoyaltyService(environment: environment)
            let harness = HTTPHarness(administration: administration, service: service, keyA: keyA, keyB: keyB)
            var dependencies = HTTPDependencies(
                service: service, administration: administration,
                healthCheck: { _ = try await administration.programs() })
            configure(&dependencies)
            let app = Application(router: buildRouter(dependencies))
            try await app.test(mode) { client in try await body(harness, client) }
        } catch {
            try? await provider.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
        try await provider.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

extension TestClientProtocol {
    /// Sends a request and reads the reply as JSON (an object, or `{"items": [...]}` for a top-level array).
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, body: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> HTTPHarness.Reply {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        { response in
            HTTPHarness.Reply(
                status: Int(response.status.code), contentType: response.headers[.contentType],
                text: String(buffer: response.body), headers: response.headers)
        }
    }

    func callBytes(
        _ method: HTTPRequest.Method, _ uri: String, key: String, bytes: [UInt8],
        contentType: String = "application/json"
    )
        async throws -> HTTPHarness.Reply
    {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key)"
        headers[.contentType] = contentType
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes)) {
            response in
            HTTPHarness.Reply(
                status: Int(response.status.code), contentType: response.headers[.contentType],
                text: String(buffer: response.body), headers: response.headers)
        }
    }
}

extension HTTPHarness.Reply {
    /// An RFC 9457 document whose `status` matches the response, with a `type`, a `title` and a non-empty `detail`.
    var isProblem: Bool {
        contentType == "application/problem+json" && json["status"] as? Int == status
            && !(string("title") ?? "").isEmpty && !(string("detail") ?? "").isEmpty
            && string("type")?.hasPrefix("urn:retain:problem:") == true
    }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    /// The `reason` given for `field`.
    func reason(_ field: String) -> String? {
        (json["errors"] as? [[String: Any]])?.first { $0["field"] as? String == field }?["reason"] as? String
    }
    /// The ids of the objects in the array under `key`.
    func ids(_ key: String, id: String = "id") -> [String] {
        (json[key] as? [[String: Any]] ?? []).compactMap { $0[id] as? String }
    }
    var fields: [String] { (json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [] }
    func int(_ key: String) -> Int? { json[key] as? Int }
    func string(_ key: String) -> String? { json[key] as? String }
    func object(_ key: String) -> [String: Any] { json[key] as? [String: Any] ?? [:] }
}
