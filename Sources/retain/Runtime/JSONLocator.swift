import Foundation

/// Finds where a field named by its path (`tiers.tiers[1].threshold`, `rules[0].points`) is written in a JSON file,
/// so the CLI can say "file:line:column" for a field-level error. Best effort: when the path is not in the file (a
/// missing field) the position of the nearest enclosing value is given.
struct JSONLocator {
    private let bytes: [UInt8]

    init(_ data: Data) { bytes = [UInt8](data) }

    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    /// "a.b[2].c" → [.key(a), .key(b), .index(2), .key(c)].
    static func components(_ path: String) -> [Component] {
        var result: [Component] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
            {
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { result.append(.key(String(name))) }
            result += indexes.map { .index($0) }
        }
        return result
    }

    /// 1-based line and column of the value at `path`.
    func position(of path: String) -> (line: Int, column: Int) {
        var index = 0
        let offset = find(Self.components(path)[...], at: &index)
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 10 {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// The offset of the value at `path` starting at `index` (or of the deepest value found on the way).
    private func find(_ path: ArraySlice<Component>, at index: inout Int) -> Int {
        skipSpace(&index)
        let start = index
        guard let first = path.first, index < bytes.count else { return start }
        switch (bytes[index], first) {
        case (UInt8(ascii: "{"), .key(let wanted)):
            index += 1
            while true {
                skipSpace(&index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return start }
                let key = readString(&index)
                skipSpace(&index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return start }
                index += 1
                if key == wanted { return find(path.dropFirst(), at: &index) }
                skipValue(&index)
                skipSpace(&index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return start }
                index += 1
            }
        case (UInt8(ascii: "["), .index(let wanted)):
            index += 1
            var position = 0
            while true {
                skipSpace(&index)
                guard index < bytes.count, bytes[index] != UInt8(ascii: "]") else { return start }
                if position == wanted { return find(path.dropFirst(), at: &index) }
                skipValue(&index)
                skipSpace(&index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return start }
                index += 1
                position += 1
            }
        default:
            return start
        }
    }

    private func skipSpace(_ index: inout Int) {
        while index < bytes.count, [32, 9, 10, 13].contains(bytes[index]) { index += 1 }
    }

    private func readString(_ index: inout Int) -> String {
        index += 1
        var raw: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                raw.append(bytes[index + 1])
                index += 2
            } else {
                raw.append(bytes[index])
                index += 1
            }
        }
        index += 1
        return String(decoding: raw, as: UTF8.self)
    }

    private func skipValue(_ index: inout Int) {
        skipSpace(&index)
        guard index < bytes.count else { return }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = readString(&index)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    _ = readString(&index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return
                    }
                default: break
                }
                index += 1
            }
        default:
            while index < bytes.count, ![44, 125, 93, 32, 9, 10, 13].contains(bytes[index]) { index += 1 }
        }
    }
}
