import Foundation
import Testing

@testable import RetainAnalytics

@Suite("decimal and timestamp text")
struct NumberAndTimeTextTests {
    @Test(
        "decimals become exact minor units",
        arguments: [
            ("2.55", 2, Int64(255)), ("12.0", 2, 1200), ("-3", 2, -300), ("+0.5", 2, 50), (" 7 ", 0, 7),
            ("1.250", 2, 125),
            ("0.125", 3, 125), ("19.99", 2, 1999),
        ])
    func exact(_ text: String, _ exponent: Int, _ expected: Int64) throws {
        #expect(try DecimalText.minorUnits(text, exponent: exponent) == expected)
    }

    @Test(
        "rejects what is not a plain decimal",
        arguments: ["", "abc", "1.2.3", "1e3", "--1", "0.005", "99999999999999999999"])
    func rejects(_ text: String) {
        #expect(throws: DecimalText.Error.self) { try DecimalText.minorUnits(text, exponent: 2) }
    }

    @Test(
        "excess decimals round half to even when asked",
        arguments: [
            ("0.001", Int64(0)), ("0.125", 12), ("0.135", 14), ("0.1251", 13), ("2.005", 200), ("2.015", 202),
            ("-0.126", -13),
        ])
    func halfEven(_ text: String, _ expected: Int64) throws {
        #expect(try DecimalText.minorUnits(text, exponent: 2, excess: .roundHalfEven) == expected)
    }

    @Test("round trip of random amounts through their decimal text")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Int64.random(in: -10_000_000_000...10_000_000_000, using: &generator)
            let exponent = Int.random(in: 0...3, using: &generator)
            var divisor: Int64 = 1
            for _ in 0..<exponent { divisor *= 10 }
            let magnitude = value.magnitude
            let fraction = String(magnitude % UInt64(divisor))
            let text =
                (value < 0 ? "-" : "") + String(magnitude / UInt64(divisor))
                + (exponent > 0 ? "." + String(repeating: "0", count: exponent - fraction.count) + fraction : "")
            #expect(try DecimalText.minorUnits(text, exponent: exponent) == value, "\(text)")
        }
    }

    @Test("local times are read in their zone, with DST")
    func zones() throws {
        let london = TimestampText(pattern: "yyyy-MM-dd HH:mm:ss", zone: TimeZone(identifier: "Europe/London")!)
        #expect(try london.parse("2010-12-01 08:26:00") == Date(timeIntervalSince1970: 1_291_191_960))
        #expect(try london.parse("2011-07-01 12:00:00") == Date(timeIntervalSince1970: 1_309_518_000))  // 11:00Z
        let us = TimestampText(pattern: "M/d/yyyy H:mm", zone: TimeZone(identifier: "UTC")!)
        #expect(try us.parse("12/1/2010 8:26") == Date(timeIntervalSince1970: 1_291_191_960))
        let compact = TimestampText(pattern: "yyyyMMdd", zone: TimeZone(identifier: "UTC")!)
        #expect(try compact.parse("19970101") == Date(timeIntervalSince1970: 852_076_800))
    }

    @Test(
        "impossible dates are errors, not crashes",
        arguments: ["2011-02-29", "2011-13-01", "2011-04-31", "x", "2011-1-1x", ""])
    func impossible(_ text: String) {
        let parser = TimestampText(pattern: "yyyy-MM-dd", zone: TimeZone(identifier: "UTC")!)
        #expect(throws: TimestampText.Error.self) { try parser.parse(text) }
    }

    @Test("agrees with Foundation's calendar on random local times in Europe/Warsaw")
    func againstFoundation() throws {
        let zone = TimeZone(identifier: "Europe/Warsaw")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parser = TimestampText(pattern: "yyyy-MM-dd HH:mm:ss", zone: zone)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let instant = Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &generator)))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
            let text = String(
                format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!,
                parts.minute!, parts.second!)
            let parsed = try parser.parse(text)
            // In the autumn overlap hour a local time names two instants; the parser picks the earlier one.
            let earlier = instant.addingTimeInterval(-3600)
            let isLaterOfTwo =
                calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: earlier) == parts
            #expect(parsed == (isLaterOfTwo ? earlier : instant), "\(text)")
        }
    }

    @Test("every quarter hour around every Warsaw transition from 1977 to 2040 reads as its earliest instant")
    func aroundTransitions() throws {
        let zone = TimeZone(identifier: "Europe/Warsaw")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parser = TimestampText(pattern: "yyyy-MM-dd HH:mm", zone: zone)
        var transition = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 220_000_000))
        var checked = 0
        while let change = transition, change < Date(timeIntervalSince1970: 2_208_988_800) {
            var earliest: [String: Date] = [:]
            for step in -16...16 {
                let instant = change.addingTimeInterval(Double(step * 900))
                let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
                let text = String(format: "%04d-%02d-%02d %02d:%02d", p.year!, p.month!, p.day!, p.hour!, p.minute!)
                if earliest[text] == nil { earliest[text] = instant }
            }
            for (text, instant) in earliest {
                #expect(try parser.parse(text) == instant, "\(text)")
                checked += 1
            }
            transition = zone.nextDaylightSavingTimeTransition(after: change)
        }
        #expect(checked > 100 * 28)
    }

    @Test("a time in the spring gap moves forward; a time in the autumn overlap is the earlier instant")
    func gapAndOverlap() throws {
        let warsaw = TimestampText(pattern: "yyyy-MM-dd HH:mm", zone: TimeZone(identifier: "Europe/Warsaw")!)
        // 01:30Z, which is 03:30 CEST
        #expect(try warsaw.parse("2024-03-31 02:30") == Date(timeIntervalSince1970: 1_711_848_600))
        #expect(try warsaw.parse("2024-10-27 02:30") == Date(timeIntervalSince1970: 1_729_989_000))  // 00:30Z, CEST
        #expect(try warsaw.parse("2024-10-27 03:00") == Date(timeIntervalSince1970: 1_729_994_400))  // 02:00Z, CET
    }

    @Test("the format is guessed from samples, month-first when a day is above 12")
    func guess() {
        #expect(TimestampText.guess(samples: ["2010-12-01 08:26:00"]) == "yyyy-MM-dd HH:mm:ss")
        #expect(TimestampText.guess(samples: ["19970101", "19970318"]) == "yyyyMMdd")
        #expect(TimestampText.guess(samples: ["12/25/2010 8:26"]) == "M/d/yyyy H:mm")
        #expect(TimestampText.guess(samples: ["25/12/2010 8:26"]) == "d/M/yyyy H:mm")
        #expect(TimestampText.guess(samples: ["soon"]) == nil)
    }
}
