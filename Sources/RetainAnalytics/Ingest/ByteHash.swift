/// A 64-bit hash of byte strings, to find repeated rows: the bytes are taken eight at a time through wyhash's
/// multiply-and-fold, and each string's length is mixed in after it, so strings added one after another cannot run
/// into each other ("ab","c" ≠ "a","bc"). Not seeded: fine for finding repeats in one's own file, not for a hash table
/// an adversary fills.
struct ByteHash {
    private(set) var value: UInt64 = 0x243F_6A88_85A3_08D3

    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                value = Self.mix(value ^ 0xA076_1D64_78BD_642F, word ^ 0xE703_7ED1_A0B4_28DB)
                index += 8
            }
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        value = Self.mix(value ^ 0x8EBC_6AF0_9C88_C6E3, tail ^ 0x5899_65CC_7537_4CC3)
        value = Self.mix(value ^ 0x1D8E_4E27_C47D_124F, UInt64(bytes.count) ^ 0xE703_7ED1_A0B4_28DB)
    }

    /// wyhash's "mum": the two halves of the 128-bit product, xored (both sides carry a constant, so neither a
    /// zero state nor a zero word wipes out what came before).
    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}

/// The hash of a record's fields (`ByteHash` of each field's UTF-8), to find rows repeated field for field. The
/// standard library's `Hasher` (seeded SipHash, one call per field) was a seventh of reading the Online Retail file.
public enum FieldsHash {
    public static func of(_ fields: [String]) -> Int {
        var hash = ByteHash()
        for var field in fields { field.withUTF8 { hash.add($0) } }
        return Int(truncatingIfNeeded: hash.value)
    }
}
