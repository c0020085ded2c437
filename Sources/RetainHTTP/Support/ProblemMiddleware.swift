import Foundation
import Hummingbird
import Logging
import RetainCore

/// Turns every error into a problem document, so no request ever gets an HTML page, an empty 500 or a stack
/// trace. Unknown errors are logged (without request bodies: they carry personal data) and answered with 500.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = RetainRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            if let problem = APIProblem.from(error) { return JSONResponse.problem(problem) }
            context.logger.error("unhandled error on \(request.method) \(request.uri.path): \(error)")
            return JSONResponse.problem(
                APIProblem(
                    status: .internalServerError, title: "Internal error",
                    detail: "the request failed inside Retain and changed nothing; the log has details"))
        }
    }
}

/// Checks `Authorization: Bearer <key>` and puts the key into the context.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RetainRequestContext
    let authenticate: @Sendable (String) async throws -> APIKey?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw APIProblem.unauthorized("send Authorization: Bearer <key>; create a key with `retain keys create`")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let key = try await authenticate(String(parts[1]))
        else {
            throw APIProblem.unauthorized("the key is unknown or revoked")
        }
        var context = context
        context.apiKey = key
        return try await next(request, context)
    }
}
