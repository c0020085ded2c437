import Foundation
import Synchronization

/// Makes record ids: a short prefix naming the kind of record, then 26 Crockford base-32 characters that start with
/// the time in milliseconds (so ids sort roughly by creation and index pages stay warm) followed by 80 random bits.
/// No database sequence is involved, so ids can be made on any app instance or shard without coordination.
public protocol IDGenerator: Sendable {
    func make(_ prefix: String) -> String
}

public struct RandomIDGenerator: IDGenerator {
    public init() {}

    public func make(_ prefix: String) -> String {
        let millis = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let (high, low) = RandomWords.shared.pair()
        return prefix + "_" + CrockfordBase32.encode(timeMillis: millis, random: high, low)
    }
}

/// Random words from the system's generator, drawn 512 at a time: drawing two per id made two system calls per
/// id, about 3% of an order import's main task.
final class RandomWords: Sendable {
    static let shared = RandomWords()

    private struct Pool {
        var words = [UInt64](repeating: 0, count: 512)
        var used = 512
    }
    private let pool = Mutex(Pool())

    func pair() -> (UInt64, UInt64) {
        pool.withLock { pool in
            if pool.used + 2 > pool.words.count {
                pool.words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                pool.used = 0
            }
            defer { pool.used += 2 }
            return (pool.words[pool.used], pool.words[pool.used + 1])
        }
    }
}

/// Deterministic ids for tests and replays: `prefix_000…0001`, `prefix_000…0002`, …
public final class SequentialIDGenerator: IDGenerator, @unchecked Sendable {
    private let lock = NSLock()
    private var counter: UInt64 = 0

    public init() {}

    public func make(_ prefix: String) -> String {
        let value = lock.withLock {
            counter += 1
            return counter
        }
        let digits = String(value)
        return prefix + "_" + String(repeating: "0", count: max(0, 26 - digits.count)) + digits
    }
}

/// Crockford's base-32 alphabet: no I, L, O or U, so codes read aloud or typed by hand are not mistaken.
public enum CrockfordBase32 {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func encode(timeMillis: UInt64, random high: UInt64, _ low: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var time = timeMillis
        for index in stride(from: 9, through: 0, by: -1) {
            out[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // 80 random bits: 16 from `high`, 64 from `low`.
        var bits = (high & 0xFFFF)
        var rest = low
        for index in stride(from: 25, through: 10, by: -1) {
            out[index] = alphabet[Int(rest & 31)]
            rest = (rest >> 5) | ((bits & 31) << 59)
            bits >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A random string of `count` characters from the alphabet, drawn with the system CSPRNG.
    public static func random(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(count)
        for _ in 0..<count {
            out.append(alphabet[Int(generator.next(upperBound: UInt8(32)))])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
