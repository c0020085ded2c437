import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// How a write transaction's statements reach PostgreSQL: values bound by type (arrays included), and statements
/// whose text does not vary with what they carry (`BoundSQL.reusable`) kept prepared on each connection, so the
/// server parses and plans them once per connection instead of once per batch.
enum PostgresStatements {
    static func run(_ statement: BoundSQL, on connection: PostgresConnection, logger: Logger) async throws
        -> [any SQLRow]
    {
        var bindings = PostgresBindings(capacity: statement.values.count)
        for value in statement.values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .null: bindings.appendNull()
            case .texts(let texts): bindings.append(PostgresArray(texts: texts))
            case .integers(let numbers): bindings.append(PostgresArray(integers: numbers))
            }
        }
        guard statement.reusable else {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: statement.sql, binds: bindings), logger: logger)
            var result: [any SQLRow] = []
            for try await row in rows { result.append(row.sql()) }
            return result
        }
        let name = names.name(for: statement.sql)
        return try await PreparedText.$current.withValue(PreparedText(name: name, sql: statement.sql)) {
            var result: [any SQLRow] = []
            for try await row in try await connection.execute(
                PreparedText.Statement(bindings: bindings), logger: logger)
            {
                result.append(row.sql())
            }
            return result
        }
    }

    /// One name per distinct reusable text in this process; a connection prepares a name the first time it runs it.
    private static let names = StatementNames()
}

/// Names for reusable statement texts: `retain_1`, `retain_2`, … in the order first seen. The texts are few (one per
/// shape of an order batch's statements), so the table stays small.
private final class StatementNames: Sendable {
    private let byText = Mutex([String: String]())

    func name(for sql: String) -> String {
        byText.withLock { names in
            if let name = names[sql] { return name }
            let name = "retain_\(names.count + 1)"
            names[sql] = name
            return name
        }
    }
}

/// PostgresNIO prepares statements declared as types (`PostgresPreparedStatement`, whose name and text are static);
/// the store's texts are made at run time, so the one statement type reads them from a task-local value that
/// `PostgresStatements.run` sets around the call (PostgresNIO reads `name` and `sql` in `execute`, on the
/// caller's task, before anything is sent).
struct PreparedText: Sendable {
    let name: String
    let sql: String

    @TaskLocal static var current = PreparedText(name: "", sql: "")

    struct Statement: PostgresPreparedStatement {
        typealias Row = PostgresRow
        static var name: String { PreparedText.current.name }
        static var sql: String { PreparedText.current.sql }
        let bindings: PostgresBindings

        func makeBindings() -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
    }
}

/// A one-dimensional `text[]` or `int8[]` in PostgreSQL's binary array format, NULL elements included (PostgresNIO
/// encodes arrays of non-optional values only).
struct PostgresArray: PostgresNonThrowingEncodable, PostgresDynamicTypeEncodable {
    private enum Elements {
        case texts([String?])
        case integers([Int64?])
    }
    private let elements: Elements

    init(texts: [String?]) { elements = .texts(texts) }
    init(integers: [Int64?]) { elements = .integers(integers) }

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }
    var psqlType: PostgresDataType {
        if case .integers = elements { return .int8Array }
        return .textArray
    }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        let (count, hasNull, elementType): (Int, Bool, PostgresDataType) =
            switch elements {
            case .texts(let texts): (texts.count, texts.contains(nil), .text)
            case .integers(let numbers): (numbers.count, numbers.contains(nil), .int8)
            }
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))  // dimensions
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(elementType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))  // lower bound
        switch elements {
        case .texts(let texts):
            for text in texts {
                guard let text else {
                    buffer.writeInteger(Int32(-1))
                    continue
                }
                let lengthIndex = buffer.writerIndex
                buffer.writeInteger(Int32(0))
                let written = buffer.writeString(text)
                buffer.setInteger(Int32(written), at: lengthIndex)
            }
        case .integers(let numbers):
            for number in numbers {
                guard let number else {
                    buffer.writeInteger(Int32(-1))
                    continue
                }
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(number)
            }
        }
    }
}
