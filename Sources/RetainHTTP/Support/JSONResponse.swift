import Foundation
import Hummingbird
import NIOCore
import RetainCore

/// Reading JSON requests and writing JSON responses in the API's dialect.
enum JSONResponse {
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        make(json: try APIJSON.encode(value), status: status)
    }

    /// A response of JSON already encoded with `APIJSON`.
    static func make(json: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    static func problem(_ problem: APIProblem) -> Response {
        let data = (try? APIJSON.encode(problem)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        // RFC 9110 §15.5.2: a 401 names the scheme the client should use.
        if problem.status == 401 { headers[.wwwAuthenticate] = #"Bearer realm="retain""# }
        // A busy or unreachable database: a moment is enough (RFC 9110 §10.2.3).
        if problem.status == 503 { headers[.retryAfter] = "1" }
        return Response(
            status: HTTPResponse.Status(code: problem.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes the body as `T`: 415 for a declared non-JSON type (curl's default form type is let through, so
    /// `curl -d '{…}'` works without a header), 413 over 1 MiB, 400 for invalid UTF-8 or broken
    /// JSON, 422 naming the field for a wrong type or a missing field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: RetainRequestContext) async throws
        -> T
    {
        if let contentType = request.headers[.contentType]?.lowercased(),
            let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces),
            mediaType != "application/json", !mediaType.hasSuffix("+json"),
            mediaType != "application/x-www-form-urlencoded"
        {
            throw APIProblem(
                status: .unsupportedMediaType, title: "Unsupported media type",
                detail: "send the body as application/json, not \(contentType)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIProblem(
                status: .contentTooLarge, title: "Content too large", detail: "request bodies are limited to 1 MiB")
        }
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw APIProblem.badRequest("the body is not valid UTF-8")
        }
        guard !bytes.isEmpty else { throw APIProblem.badRequest("the body is empty; send a JSON object") }
        let data = Data(bytes)
        do {
            return try APIJSON.makeDecoder().decode(T.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            let issues = APIProblem.nonIntegerNumbers(in: data)
            if !issues.isEmpty { throw APIProblem.invalid(issues) }
            throw DecodingError.dataCorrupted(context)
        }
    }
}
