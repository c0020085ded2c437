/// SHA-256 (FIPS 180-4). Retain hashes API keys before storing them and fingerprints request bodies for
/// idempotency; neither needs more than this, so Core stays free of a crypto dependency.
public enum SHA256 {
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The 32-byte digest of `bytes`.
    public static func digest<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
        )
        let count = bytes.count
        // The message, its 0x80 terminator, zero padding and the 64-bit length, in whole 64-byte blocks.
        let padded = (count + 9 + 63) / 64 * 64
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: padded) { message in
            let copied = bytes.withContiguousStorageIfAvailable { stored in
                if let base = stored.baseAddress { message.baseAddress!.update(from: base, count: count) }
            }
            if copied == nil {
                var index = 0
                for byte in bytes {
                    message[index] = byte
                    index += 1
                }
            }
            message[count] = 0x80
            message.baseAddress!.advanced(by: count + 1).initialize(repeating: 0, count: padded - count - 1)
            let bitLength = UInt64(count) &* 8
            for shift in 0..<8 {
                message[padded - 1 - shift] = UInt8(truncatingIfNeeded: bitLength >> UInt64(shift * 8))
            }
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                roundConstants.withUnsafeBufferPointer { constants in
                    for chunk in stride(from: 0, to: padded, by: 64) {
                        for word in 0..<16 {
                            let base = chunk + word * 4
                            schedule[word] =
                                UInt32(message[base]) << 24 | UInt32(message[base + 1]) << 16
                                | UInt32(message[base + 2]) << 8 | UInt32(message[base + 3])
                        }
                        for word in 16..<64 {
                            let w15 = schedule[word - 15]
                            let w2 = schedule[word - 2]
                            let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
                            let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
                            schedule[word] = schedule[word - 16] &+ s0 &+ schedule[word - 7] &+ s1
                        }
                        var (a, b, c, d, e, f, g, h) = state
                        for round in 0..<64 {
                            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                            let choice = (e & f) ^ (~e & g)
                            let temp1 = h &+ s1 &+ choice &+ constants[round] &+ schedule[round]
                            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                            let majority = (a & b) ^ (a & c) ^ (b & c)
                            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ temp1, c, b, a, temp1 &+ s0 &+ majority)
                        }
                        state = (
                            state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                            state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h
                        )
                    }
                }
            }
        }
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        var digest = [UInt8](repeating: 0, count: 32)
        for (index, word) in words.enumerated() {
            digest[index * 4] = UInt8(truncatingIfNeeded: word >> 24)
            digest[index * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
            digest[index * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
            digest[index * 4 + 3] = UInt8(truncatingIfNeeded: word)
        }
        return digest
    }

    /// The digest as 64 lowercase hex characters.
    public static func hex(_ string: String) -> String { hex(Array(string.utf8)) }

    public static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest(bytes) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private static func rotr(_ value: UInt32, _ count: UInt32) -> UInt32 { (value >> count) | (value << (32 - count)) }
}
