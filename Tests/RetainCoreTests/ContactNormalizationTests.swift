import Foundation
import PropertyBased
import RetainCore
import Testing

@Suite struct ContactNormalizationTests {
    /// Pieces that start or end a value: visible ASCII, ASCII and Unicode white space, other non-ASCII.
    static let pieces = [
        "a", "Z", "7", "-", "~", "!", " ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2003}",
        "\u{2028}", "\u{3000}", "é", "日", "🙂", "\u{0}", "\u{7F}",
    ]

    @Test func identifiersAreTrimmedExactlyAsFoundationTrimsWhiteSpace() async {
        let values = Gen<String?>.element(of: Self.pieces).array(of: 0...6)
        await propertyCheck(count: 500, input: values) { pieces in
            let raw = pieces.compactMap { $0 }.joined()
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(ContactNormalization.identifier(raw) == (trimmed.isEmpty ? nil : trimmed), "\(Array(raw.utf8))")
        }
        #expect(ContactNormalization.identifier(nil) == nil)
        #expect(ContactNormalization.identifier(" 17850\t") == "17850")
        #expect(ContactNormalization.identifier("17850") == "17850")
    }
}
