import Foundation
import RetainCore
import RetainServices
import Yams

/// A program file in JSON or YAML (by extension: `.yaml`, `.yml`), read as the same JSON document, with a way to
/// find where a field path is written so errors can say FILE:LINE:COLUMN.
struct ProgramFile {
    let path: String
    /// The document as JSON (a YAML file converted).
    let json: Data
    /// Line and column of a field path (`tiers.tiers[1].threshold`).
    let locate: (String) -> (line: Int, column: Int)

    static func isYAML(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
    }

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("\(path): cannot read the file")
        }
        guard Self.isYAML(path) else {
            json = data
            let locator = JSONLocator(data)
            locate = { locator.position(of: $0) }
            return
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch let error as YamlError {
            throw CLIError("\(path): not valid YAML: \(error)")
        }
        guard let node else { throw CLIError("\(path): the file is empty") }
        var marks: [String: (Int, Int)] = [:]
        let value = try Self.value(node, path: "", marks: &marks, file: path)
        json = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
        let found = marks
        locate = { field in
            var key = field
            // The deepest part of the path that is written in the file.
            while found[key] == nil, let cut = key.lastIndex(where: { $0 == "." || $0 == "[" }) {
                key = String(key[..<cut])
            }
            return found[key] ?? (1, 1)
        }
    }

    /// The YAML node as a JSON value: plain scalars are read as null, booleans and numbers when they look like
    /// them (YAML 1.2 core schema), quoted scalars always as strings.
    private static func value(_ node: Node, path: String, marks: inout [String: (Int, Int)], file: String) throws
        -> Any
    {
        if let mark = node.mark { marks[path] = (mark.line, mark.column) }
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain || scalar.style == .any else { return scalar.string }
            let text = scalar.string
            switch text {
            case "", "~", "null", "Null", "NULL": return NSNull()
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default:
                if let integer = Int64(text) { return integer }
                if text.contains("."), let number = Double(text) { return number }
                return text
            }
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw CLIError("\(file):\(key.mark?.line ?? 0): keys must be plain text")
                }
                let child = path.isEmpty ? name.string : "\(path).\(name.string)"
                object[name.string] = try Self.value(value, path: child, marks: &marks, file: file)
            }
            return object
        case .sequence(let sequence):
            return try sequence.enumerated().map { index, item in
                try Self.value(item, path: "\(path)[\(index)]", marks: &marks, file: file)
            }
        case .alias:
            throw CLIError("\(file):\(node.mark?.line ?? 0): YAML aliases are not supported in program files")
        }
    }

    /// Decodes the program, naming file, line and column of a field that cannot be read.
    func definition() throws -> ProgramDefinition {
        do {
            return try APIJSON.decode(ProgramDefinition.self, from: json)
        } catch let error as DecodingError {
            var location = path
            switch error {
            case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
                .dataCorrupted(let context):
                if !context.codingPath.isEmpty {
                    let position = locate(codingPath(context.codingPath))
                    location += ":\(position.line):\(position.column)"
                }
            @unknown default: break
            }
            throw CLIError("\(location): \(describe(error, in: json)); nothing changed")
        }
    }

    /// Field issues as "FILE:LINE:COLUMN: path: reason" lines.
    func located(_ issues: [FieldIssue]) -> String {
        "\(path): invalid, nothing changed:\n"
            + issues.map { issue in
                let position = locate(issue.field)
                return "\(path):\(position.line):\(position.column): \(issue.field): \(issue.reason)"
            }.joined(separator: "\n")
    }
}
