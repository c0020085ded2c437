import Foundation
import PropertyBased
@testable import RetainStore
import Testing

/// The hand-written JSON of stored documents must read back as exactly what was written: any integer (the sign and
/// both ends of Int64) and any string (quotes, backslashes, control characters, non-ASCII).
@Suite struct JSONTextWriterTests {
    static let pieces = ["a", "\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "é", "€", "🙂", " ", "/"]
    static let text = Gen.int(in: 0...(pieces.count - 1)).array(of: 0...12).map { $0.map { pieces[$0] }.joined() }

    @Test func stringsAndNumbersReadBackExactly() async {
        await propertyCheck(count: 300, input: Self.text, Gen.int64()) { text, number in
            var writer = JSONTextWriter()
            writer.object { doc in
                doc.field("s", text)
                doc.field("n", number)
                doc.key("list")
                doc.array([number, 0, -1, .min, .max]) { $0.number($1) }
            }
            let data = Data(writer.text.utf8)
            struct Document: Decodable, Equatable {
                var s: String
                var n: Int64
                var list: [Int64]
            }
            let read = try? JSONDecoder().decode(Document.self, from: data)
            #expect(read == Document(s: text, n: number, list: [number, 0, -1, .min, .max]), "\(writer.text)")
        }
    }
}
