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

    /// An order document (written by hand, its lines as arrays with the discount only when it is not 0) reads back
    /// as the record; so does a document of earlier versions, whose lines were objects.
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
        #expect(
            json.contains(#""lines":[["85123A",null,"WHITE \"HEART\"",6,255],[null,"gifts",null,2,1000,150]]"#),
            "\(json)")
        #expect(try StoreCoding.decode(OrderRecord.self, from: json) == record)
        let earlier = json.replacingOccurrences(
            of: #"[["85123A",null,"WHITE \"HEART\"",6,255],[null,"gifts",null,2,1000,150]]"#,
            with: #"[{"sku":"85123A","name":"WHITE \"HEART\"","quantity":6,"unit_price":255,"discount":0},"#
                + #"{"category":"gifts","quantity":2,"unit_price":1000,"discount":150}]"#)
        #expect(earlier != json)
        #expect(try StoreCoding.decode(OrderRecord.self, from: earlier) == record)
    }

    /// The compact form is the store's own: a request with a line as an array is refused.
    @Test func aRequestCannotSendALineAsAnArray() {
        let body = #"{"sku":"a","quantity":1,"unit_price":100}"#
        #expect((try? JSONDecoder().decode(OrderLine.self, from: Data(body.utf8))) != nil)
        #expect((try? JSONDecoder().decode(OrderLine.self, from: Data(#"["a",null,null,1,100]"#.utf8))) == nil)
        #expect((try? StoreCoding.decode(OrderLine.self, from: #"["a",null,null,1,100]"#)) != nil)
    }
}
