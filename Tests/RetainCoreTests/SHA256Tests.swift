import Foundation
import PropertyBased
import RetainCore
import Testing

@Suite struct SHA256Tests {
    // FIPS 180-2 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func fipsVectors(input: String, expected: String) {
        #expect(SHA256.hex(input) == expected)
        #expect(SHA256.digest(Array(input.utf8)).count == 32)
    }

    @Test func oneMillionA() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(input) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Bytes from contiguous storage are copied at once, any other collection byte by byte: the same digest.
    @Test func anyCollectionOfTheSameBytesHasTheSameDigest() {
        for count in [0, 1, 55, 56, 63, 64, 65, 1_000] {
            let lazy = (0..<count).lazy.map { UInt8($0 % 251) }
            #expect(SHA256.digest(lazy) == SHA256.digest(Array(lazy)))
        }
        #expect(SHA256.hex((0..<3).lazy.map { [97, 98, 99][$0] }) == SHA256.hex("abc"))
    }

    @Test func digestMatchesHex() {
        let digest = SHA256.digest(Array("abc".utf8))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        #expect(hex == SHA256.hex("abc"))
        #expect(digest.prefix(4) == [0xba, 0x78, 0x16, 0xbf])
    }

    /// Lengths around the padding boundaries (55, 56, 63, 64, 119, 120 …) plus random ones, checked against the
    /// system's `sha256sum`, which is an independent implementation.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum")))
    func randomInputsMatchSha256sum() throws {
        var generator = SystemRandomNumberGenerator()
        let boundaryLengths = [0, 1, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129]
        for index in 0..<100 {
            let length =
                index < boundaryLengths.count ? boundaryLengths[index] : Int.random(in: 0...700, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = try sha256sum(bytes)
            #expect(SHA256.hex(bytes) == reference, "length \(length): \(bytes)")
        }
    }

    private func sha256sum(_ bytes: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let hex = String(text.prefix { $0 != " " })
        try #require(process.terminationStatus == 0 && hex.count == 64, "sha256sum failed: \(text)")
        return hex
    }
}

/// The fingerprint of a canonical text is the SHA-256 of the text its documentation states — each string as
/// `length:value`, each number as `value;`, a missing value as `-;` — whatever the values.
@Suite struct CanonicalTextTests {
    enum Value { case text(String?), number(Int64?) }

    static let pieces: [String?] = [nil, "", "a", "é", "10:x", "-;", "🎉 gift", "WHITE HANGING HEART", "85123A"]
    static let numbers: [Int64?] = [nil, 0, 7, -7, 10, 99, -100, 1_291_191_960_000, .max, .min]
    static let values = zip(
        Gen.int(in: 0...1), Gen.int(in: 0...(pieces.count - 1)), Gen.int(in: 0...(numbers.count - 1))
    )
    .map { kind, piece, number in kind == 0 ? Value.text(pieces[piece]) : Value.number(numbers[number]) }
    .array(of: 0...12)

    @Test func theFingerprintIsTheHashOfTheStatedText() async {
        await propertyCheck(count: 300, input: Self.values) { values in
            var canonical = CanonicalText()
            var stated = ""
            for value in values {
                switch value {
                case .text(let text):
                    canonical.add(text)
                    stated += text.map { "\($0.utf8.count):\($0)" } ?? "-;"
                case .number(let number):
                    canonical.add(number)
                    stated += (number.map { String($0) } ?? "-") + ";"
                }
            }
            #expect(canonical.fingerprint == SHA256.hex(stated))
        }
    }
}
