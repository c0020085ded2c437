/// One reason a request was not accepted, tied to the field that caused it (`lines[2].quantity`).
public struct FieldIssue: Codable, Sendable, Equatable {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Every failure a use case can report. The HTTP layer turns each case into an RFC 9457 problem document, the
/// CLI into a message; neither has to guess what went wrong.
public enum DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input breaks a rule; each issue names the field.
    case invalid([FieldIssue])
    /// A record the request names does not exist in this program.
    case notFound(what: String, id: String)
    /// The idempotency key was used before with a different request, or a unique value is taken.
    case conflict(String)
    /// The request is well formed but the business refuses it (not enough points, …); `code` is machine-readable.
    case refused(code: String, detail: String)

    public static func invalid(_ field: String, _ reason: String) -> DomainError {
        .invalid([FieldIssue(field, reason)])
    }

    public var description: String {
        switch self {
        case .invalid(let issues): return issues.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        case .notFound(let what, let id): return "\(what) \(id) not found"
        case .conflict(let detail): return detail
        case .refused(_, let detail): return detail
        }
    }
}

/// Collects field issues while validating, so a client learns about every bad field at once.
public struct Validator {
    public private(set) var issues: [FieldIssue] = []

    public init() {}

    /// Field and reason are made only when the check fails: an import checks every line of every order.
    public mutating func check(
        _ condition: Bool, _ field: @autoclosure () -> String, _ reason: @autoclosure () -> String
    ) {
        if !condition { issues.append(FieldIssue(field(), reason())) }
    }

    public mutating func add(_ field: String, _ reason: String) { issues.append(FieldIssue(field, reason)) }

    public func throwIfInvalid() throws {
        if !issues.isEmpty { throw DomainError.invalid(issues) }
    }
}

/// A failure of the machinery under the services (the database busy or out of reach), not of the request: the
/// same request may succeed a moment later. The API answers it with 503 and `Retry-After`.
public protocol TemporaryFailure: Error {
    /// Whether this failure is temporary; false for failures of the same type that a retry will not mend.
    var isTemporary: Bool { get }
}
