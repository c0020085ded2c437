import Foundation
import PropertyBased
@testable import RetainCore
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

    /// An order document (written by hand, with a line's discount left out when it is 0) reads back as the record.
    @Test func anOrderDocumentReadsBackAsTheRecord() throws {
        let at = Date(timeIntervalSince1970: 1_291_191_960)
        let input = OrderInput(
            orderID: "536365", customer: CustomerReference(externalID: "17850"), placedAt: at, currency: "GBP",
            lines: [
                OrderLine(sku: "85123A", name: "WHITE \"HEART\"", quantity: 6, unitPrice: 255),
                OrderLine(sku: nil, category: "gifts", quantity: 2, unitPrice: 1_000, discount: 150),
            ])
        var award = Award(
            ruleID: "base", ruleName: "1 per 1.00", points: 33, linePoints: [15, 18], maturesAt: at,
            expiresAt: at.addingTimeInterval(86_400))
        award.renews = false
        let record = OrderRecord(
            programID: "retail", orderID: "536365", customerID: "cus_1", status: .recorded, input: input,
            awards: [OrderRecord.AwardState(award: award, entryID: "ent_1", lotID: "lot_1", reversed: 3)],
            returnedUnits: [0, 1], returnedAmount: 850, createdAt: at)
        let json = OrderDocument.json(record)
        #expect(json.components(separatedBy: "\"discount\":").count == 3, "the order's and one line's: \(json)")
        #expect(try StoreCoding.decode(OrderRecord.self, from: json) == record)
    }
}
