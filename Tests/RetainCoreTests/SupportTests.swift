import Foundation
import RetainCore
import Testing

@Suite struct CurrencyTests {
    @Test func exponentsAndFormatting() throws {
        let eur = try #require(Currency(code: "eur"))
        #expect(eur.code == "EUR" && eur.exponent == 2 && eur.minorUnitsPerMajor == 100)
        #expect(eur.format(255) == "2.55")
        #expect(eur.format(5) == "0.05")
        #expect(eur.format(-1205) == "-12.05")
        #expect(eur.format(0) == "0.00")
        #expect(eur.format(.min) == "-92233720368547758.08")
        let jpy = try #require(Currency(code: "JPY"))
        #expect(jpy.exponent == 0 && jpy.format(1500) == "1500" && jpy.minorUnitsPerMajor == 1)
        let kwd = try #require(Currency(code: "KWD"))
        #expect(kwd.exponent == 3 && kwd.format(1005) == "1.005" && kwd.minorUnitsPerMajor == 1000)
        #expect(Currency(code: "XXX") == nil && Currency(code: "EURO") == nil && Currency(code: "") == nil)
    }

    @Test func codable() throws {
        #expect(try JSONDecoder().decode([Currency].self, from: Data(#"["pln"]"#.utf8)) == [Currency(code: "PLN")!])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Currency].self, from: Data(#"["ABC"]"#.utf8)) }
        #expect(try JSONEncoder().encode([Currency(code: "usd")!]) == Data(#"["USD"]"#.utf8))
    }
}

@Suite struct IdentifierTests {
    static let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    @Test func randomIDsHavePrefixAnd26CrockfordCharactersAndSortByTime() async throws {
        let ids = RandomIDGenerator()
        let first = ids.make("cus")
        try await Task.sleep(nanoseconds: 5_000_000)
        let second = ids.make("cus")
        for id in [first, second] {
            #expect(id.hasPrefix("cus_"))
            let body = id.dropFirst(4)
            #expect(body.count == 26 && body.allSatisfy { IdentifierTests.alphabet.contains($0) }, "\(id)")
        }
        #expect(first.prefix(14) < second.prefix(14))  // the first 10 characters of the body are the time
        #expect(first != second)
        #expect(Set((0..<200).map { _ in ids.make("x") }).count == 200)
    }

    @Test func randomIDsMadeConcurrentlyAreAllDifferent() async {
        // Several times the random words drawn at once, from tasks running side by side.
        let ids = RandomIDGenerator()
        let made = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<1_000).map { _ in ids.make("x") } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(made).count == 8_000)
        // The random part alone (the last 16 characters) differs too, whatever the time.
        #expect(Set(made.map { $0.suffix(16) }).count == 8_000)
    }

    @Test func crockfordRandomUsesOnlyTheAlphabet() {
        let code = CrockfordBase32.random(count: 500)
        #expect(code.count == 500 && code.allSatisfy { IdentifierTests.alphabet.contains($0) })
        #expect(!code.contains("I") && !code.contains("L") && !code.contains("O") && !code.contains("U"))
    }

    @Test func sequentialIDsCountUpAndSortAsNumbers() {
        let ids = SequentialIDGenerator()
        let made = (1...12).map { _ in ids.make("lot") }
        #expect(made.first == "lot_" + String(repeating: "0", count: 25) + "1")
        #expect(made.last == "lot_" + String(repeating: "0", count: 24) + "12")
        #expect(made == made.sorted())
    }
}
