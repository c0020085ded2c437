import Foundation
import Hummingbird
import RetainCore

/// Per-request state: Hummingbird's core context plus the API key that authenticated the request.
public struct RetainRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` on every `/v1` request.
    public var apiKey: APIKey?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies over 1 MiB are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    /// The program the key belongs to, after checking it may do `scope`.
    public func program(for scope: Scope) throws -> String {
        guard let apiKey else { throw APIProblem.unauthorized("send Authorization: Bearer <key>") }
        guard apiKey.allows(scope) else {
            throw APIProblem(
                status: .forbidden, title: "Forbidden",
                detail: "this key has scope \(apiKey.scope.rawValue); the request needs \(scope.rawValue)")
        }
        return apiKey.programID
    }

    /// A path parameter, percent-decoded: `/v1/orders/%231001` names order `#1001`, and
    /// `/v1/customers/email:ann%40example.com` the customer with that e-mail. The router matches the raw path, so an
    /// encoded `/` stays inside the parameter.
    public func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// Who made the request, for the ledger: the key's name and id.
    public var actor: String { apiKey.map { "key:\($0.id) (\($0.name))" } ?? "unknown" }
}
