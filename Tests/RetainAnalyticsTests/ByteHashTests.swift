import PropertyBased
import Testing

@testable import RetainAnalytics

@Suite("the hash of a record's fields")
struct FieldsHashTests {
    /// Fields of 0–20 bytes from a few letters, so that equal fields, shared prefixes and shifted boundaries come up.
    static let letters: [Character] = ["a", "b", "c", "\u{E9}"]
    static let fields = Gen.int(in: 0...3).array(of: 0...20).map { String($0.map { letters[$0] }) }.array(of: 1...5)

    @Test("equal records hash alike; one letter changed, or one moved to the next field, hashes differently")
    func distinguishesRecords() async {
        await propertyCheck(count: 500, input: Self.fields, Gen.int(in: 0...1_000), Gen.int(in: 1...3)) {
            record, position, step in
            // The same text in other storage (bridged through its bytes) hashes alike.
            #expect(
                FieldsHash.of(record) == FieldsHash.of(record.map { String(decoding: Array($0.utf8), as: UTF8.self) }))
            let field = position % record.count
            var letters = Array(record[field])
            if !letters.isEmpty {
                var changed = record
                let at = position % letters.count
                letters[at] = Self.letters[(Self.letters.firstIndex(of: letters[at])! + step) % Self.letters.count]
                changed[field] = String(letters)
                #expect(FieldsHash.of(changed) != FieldsHash.of(record), "\(record) → \(changed)")
            }
            if field + 1 < record.count, let last = record[field].last {
                var moved = record
                moved[field].removeLast()
                moved[field + 1].insert(last, at: moved[field + 1].startIndex)
                #expect(FieldsHash.of(moved) != FieldsHash.of(record), "\(record) → \(moved)")
            }
        }
        // A trailing NUL leaves the bytes of the last word as they were: only the length tells them apart.
        #expect(FieldsHash.of(["a\u{0}"]) != FieldsHash.of(["a"]))
    }
}
