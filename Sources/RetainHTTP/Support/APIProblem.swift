import Foundation
import Hummingbird
import RetainCore

/// An RFC 9457 problem document (`application/problem+json`). Every error the API returns is one, with the
/// fields at fault in `errors` and a machine-readable `code` for business refusals.
public struct APIProblem: Error, Codable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String?
    public var errors: [FieldIssue]?

    public init(
        status: HTTPResponse.Status, title: String, detail: String, code: String? = nil,
        errors: [FieldIssue]? = nil
    ) {
        self.type = "urn:retain:problem:" + title.lowercased().replacingOccurrences(of: " ", with: "-")
        self.title = title
        self.status = status.code
        self.detail = detail
        self.code = code
        self.errors = errors
    }

    public static func unauthorized(_ detail: String) -> APIProblem {
        APIProblem(status: .unauthorized, title: "Unauthorized", detail: detail)
    }

    public static func badRequest(_ detail: String, errors: [FieldIssue]? = nil) -> APIProblem {
        APIProblem(status: .badRequest, title: "Bad request", detail: detail, errors: errors)
    }

    public static func invalid(_ issues: [FieldIssue]) -> APIProblem {
        APIProblem(
            status: .unprocessableContent, title: "Invalid request",
            detail: issues.map { "\($0.field): \($0.reason)" }.joined(separator: "; "), errors: issues)
    }

    /// The problem for any error a handler threw.
    static func from(_ error: any Error) -> APIProblem? {
        switch error {
        case let problem as APIProblem:
            return problem
        case let domain as DomainError:
            switch domain {
            case .invalid(let issues): return .invalid(issues)
            case .notFound(let what, let id):
                return APIProblem(
                    status: .notFound, title: "Not found", detail: "\(what) \(id) not found in this program")
            case .conflict(let detail): return APIProblem(status: .conflict, title: "Conflict", detail: detail)
            case .refused(let code, let detail):
                return APIProblem(status: .unprocessableContent, title: "Refused", detail: detail, code: code)
            }
        case let failure as any TemporaryFailure where failure.isTemporary:
            return APIProblem(
                status: .serviceUnavailable, title: "Service unavailable",
                detail: "the database is busy or out of reach; nothing was changed, send the request again")
        case let decoding as DecodingError:
            return fromDecoding(decoding)
        case let http as HTTPError:
            switch http.status {
            case .notFound:
                return APIProblem(status: .notFound, title: "Not found", detail: "no such endpoint; see /openapi.json")
            case .contentTooLarge:
                return APIProblem(
                    status: .contentTooLarge, title: "Content too large", detail: "request bodies are limited to 1 MiB")
            default:
                return APIProblem(
                    status: http.status, title: http.status.reasonPhrase, detail: http.body ?? http.status.reasonPhrase)
            }
        default:
            return nil
        }
    }

    /// Decoding errors name the field: a wrong type or a missing field is 422 with its path; broken JSON is 400.
    static func fromDecoding(_ error: DecodingError) -> APIProblem {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid([FieldIssue(path(context.codingPath + [key]), "is required")])
        case .typeMismatch(let type, let context):
            return .invalid([FieldIssue(path(context.codingPath), "must be \(describe(type))")])
        case .valueNotFound(let type, let context):
            return .invalid([FieldIssue(path(context.codingPath), "must be \(describe(type)), not null")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("the body is not valid JSON: \(context.debugDescription)")
            }
            return .invalid([FieldIssue(path(context.codingPath), context.debugDescription)])
        @unknown default:
            return .badRequest("the body could not be read")
        }
    }

    /// The numbers in a valid JSON body that are not whole numbers within the range of `Int64` (`12.5`, `1e30`), as
    /// field issues. Foundation's decoder reports such a number in an integer field as invalid JSON without a
    /// path, so `decode` asks this before answering 400.
    static func nonIntegerNumbers(in data: Data) -> [FieldIssue] {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return [] }
        var issues: [FieldIssue] = []
        func visit(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object.sorted(by: { $0.key < $1.key }) {
                    visit(child, path.isEmpty ? key : path + "." + key)
                }
            } else if let array = value as? [Any] {
                for (index, child) in array.enumerated() { visit(child, path + "[\(index)]") }
            } else if let number = value as? NSNumber, !(value is Bool) {
                let double = number.doubleValue
                if double.rounded() != double || abs(double) >= 9.2e18 {
                    issues.append(
                        FieldIssue(
                            path.isEmpty ? "body" : path,
                            "must be a whole number (amounts are in minor units: 12.50 is 1250), not \(number)"))
                }
            }
        }
        visit(root, "")
        return issues
    }

    static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        // Containers first: `Dictionary<String, Any>` and `Array<String>` name their element types.
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        if name.contains("Int") { return "an integer" }
        if name.contains("String") { return "a string" }
        if name.contains("Bool") { return "true or false" }
        if name.contains("Double") || name.contains("Decimal") { return "a number" }
        return "an object"
    }
}
