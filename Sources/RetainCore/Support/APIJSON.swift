import Foundation

/// The JSON dialect of the API: snake_case keys (spelled out in each type's `CodingKeys`), instants as RFC 3339
/// strings (`2026-11-23T09:30:00Z`, fractional seconds and offsets accepted, UTC with milliseconds written).
public enum APIJSON {
    public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(date))
        }
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected a time like 2026-11-23T09:30:00Z, got \(text)")
            }
            return date
        }
        return decoder
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data { try makeEncoder().encode(value) }
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try makeDecoder().decode(type, from: data)
    }

    /// SHA-256 of the value's canonical JSON (sorted keys): two requests that mean the same have the same hash.
    public static func fingerprint<T: Encodable>(_ value: T) -> String {
        SHA256.hex((try? makeEncoder().encode(value)) ?? Data())
    }

    /// The fingerprint of a request made to one target (a customer, an order): the same body sent for another
    /// target is a different request.
    public static func fingerprint<T: Encodable>(_ value: T, target: String) -> String {
        SHA256.hex(Data(target.utf8) + Data([0]) + ((try? makeEncoder().encode(value)) ?? Data()))
    }
}

/// RFC 3339 timestamps without Foundation formatters, which are slow and not `Sendable`.
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        // To the nearest millisecond, as the store keeps times: rounding down printed 1.005 s (stored as 1005 ms,
        // read back as 1.00499…) as 1.004.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = Int(millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000)
        let dayMillis = millis - Int64(days) * 86_400_000
        let civil = CivilDate(daysSinceEpoch: days)
        let seconds = Int(dayMillis / 1000)
        let fraction = Int(dayMillis % 1000)
        // Digits appended by hand: `String(format:)` cost a few percent of every API answer that carries times.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        civil.appendDescription(to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(seconds / 3600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits((seconds / 60) % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(seconds % 60, width: 2, to: &bytes)
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(fraction, width: 3, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a non-negative number zero-padded to `width` digits (more digits when it needs them).
    static func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        var count = 1
        while count < width || value / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
            divisor /= 10
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (a space may replace `T`); nil if it is not one.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
            let day = number(8, 2), bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
            let hour = number(11, 2), bytes[13] == 58, let minute = number(14, 2), bytes[16] == 58,
            let second = number(17, 2), let civil = CivilDate(year: year, month: month, day: day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < bytes.count && bytes[index] == 46 {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<3 where digits < 3 { millis *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == 90 || bytes[index] == 122 {
            index += 1
        } else if bytes[index] == 43 || bytes[index] == 45 {
            guard let hours = number(index + 1, 2), bytes.count > index + 3, bytes[index + 3] == 58,
                let minutes = number(index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = civil.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
    }
}
