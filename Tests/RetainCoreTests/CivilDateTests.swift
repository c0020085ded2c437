import Foundation
import PropertyBased
import RetainCore
import Testing

@Suite struct CivilDateTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let warsaw = TimeZone(identifier: "Europe/Warsaw")!

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Days since 1970-01-01 for 1900-01-01 … 2200-12-31.
    static let dayRange = -25_567...84_370

    @Test func daysFromCivilRoundTripsAndAgreesWithFoundation() async {
        let calendar = CivilDateTests.calendar(CivilDateTests.utc)
        await propertyCheck(count: 500, input: Gen.int(in: CivilDateTests.dayRange)) { days in
            let civil = CivilDate(daysSinceEpoch: days)
            #expect(civil.daysSinceEpoch == days)
            let instant = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: instant)
            #expect(civil.year == parts.year && civil.month == parts.month && civil.day == parts.day, "\(civil)")
            // Foundation: 1 = Sunday … 7 = Saturday; ISO: 1 = Monday … 7 = Sunday.
            #expect(civil.isoWeekday == (parts.weekday! + 5) % 7 + 1, "\(civil)")
            #expect(CivilDate(year: civil.year, month: civil.month, day: civil.day) == civil)
            #expect(CivilDate(iso: civil.description) == civil)
            #expect(civil.adding(days: 1) > civil && civil.adding(days: -1) < civil)
        }
    }

    /// The hand-written digits of `RFC3339.string` and `description` give exactly what `String(format:)` gave, and
    /// the text parses back to the same millisecond.
    @Test func timestampTextMatchesFormatAndRoundTrips() async {
        let millis = Gen.int(
            in: (CivilDateTests.dayRange.lowerBound * 86_400_000)...(CivilDateTests.dayRange.upperBound * 86_400_000))
        await propertyCheck(count: 1_000, input: millis) { value in
            let date = Date(timeIntervalSince1970: Double(value) / 1000)
            let days = Int((Double(value) / 86_400_000).rounded(.down))
            let civil = CivilDate(daysSinceEpoch: days)
            let inDay = value - days * 86_400_000
            let seconds = inDay / 1000
            var expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", civil.year, civil.month, civil.day, seconds / 3600,
                (seconds / 60) % 60, seconds % 60)
            if inDay % 1000 != 0 { expected += String(format: ".%03d", inDay % 1000) }
            expected += "Z"
            #expect(RFC3339.string(date) == expected)
            #expect(civil.description == String(format: "%04d-%02d-%02d", civil.year, civil.month, civil.day))
            #expect(RFC3339.parse(RFC3339.string(date)) == date)
        }
        #expect(RFC3339.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1.005)) == "1970-01-01T00:00:01.005Z")
    }

    @Test func rangeBoundsAndKnownDays() {
        #expect(CivilDate(iso: "1900-01-01")?.daysSinceEpoch == CivilDateTests.dayRange.lowerBound)
        #expect(CivilDate(iso: "2200-12-31")?.daysSinceEpoch == CivilDateTests.dayRange.upperBound)
        #expect(CivilDate(iso: "1970-01-01")?.isoWeekday == 4)  // Thursday
        #expect(CivilDate(iso: "2026-11-24")?.isoWeekday == 2)  // Tuesday
        #expect(CivilDate(iso: "2026-03-29")?.isoWeekday == 7)  // Sunday
        #expect(CivilDate(iso: "1969-12-31")?.daysSinceEpoch == -1)
    }

    @Test func validation() {
        #expect(CivilDate(iso: "2024-02-29") != nil)
        #expect(CivilDate(iso: "2023-02-29") == nil)
        #expect(CivilDate(iso: "1900-02-29") == nil)
        #expect(CivilDate(iso: "2000-02-29") != nil)
        #expect(CivilDate(iso: "2026-04-31") == nil)
        #expect(CivilDate(iso: "2026-4-01") == nil)
        #expect(CivilDate(iso: "2026-13-01") == nil)
        #expect(CivilDate(iso: "20260101") == nil)
    }

    @Test func startOfDayAcrossWarsawDSTChanges() {
        let zone = CivilDateTests.warsaw
        func start(_ iso: String) -> Date { CivilDate(iso: iso)!.start(in: zone) }
        // Spring forward on Sunday 2026-03-29 (02:00 CET → 03:00 CEST): midnight is still CET (UTC+1).
        #expect(start("2026-03-29") == RFC3339.parse("2026-03-28T23:00:00Z"))
        #expect(start("2026-03-30") == RFC3339.parse("2026-03-29T22:00:00Z"))
        #expect(start("2026-03-30").timeIntervalSince(start("2026-03-29")) == 23 * 3600)
        // Fall back on Sunday 2026-10-25 (03:00 CEST → 02:00 CET): a 25-hour day.
        #expect(start("2026-10-25") == RFC3339.parse("2026-10-24T22:00:00Z"))
        #expect(start("2026-10-26") == RFC3339.parse("2026-10-25T23:00:00Z"))
        #expect(start("2026-10-26").timeIntervalSince(start("2026-10-25")) == 25 * 3600)
        // And the day an instant falls on, on both sides of local midnight.
        #expect(CivilDate(RFC3339.parse("2026-03-28T22:59:59Z")!, in: zone).description == "2026-03-28")
        #expect(CivilDate(RFC3339.parse("2026-03-28T23:00:00Z")!, in: zone).description == "2026-03-29")
    }

    @Test(arguments: [
        "Europe/Warsaw", "America/New_York", "Pacific/Auckland", "Asia/Kolkata", "Australia/Lord_Howe",
        "UTC",
    ])
    func startAndDayAgreeWithFoundation(zoneID: String) async throws {
        let zone = try #require(TimeZone(identifier: zoneID))
        let calendar = CivilDateTests.calendar(zone)
        // 1970 … 2100: days, and instants within them.
        await propertyCheck(count: 300, input: Gen.int(in: 0...47_480), Gen.int(in: 0..<86_400)) { days, second in
            let civil = CivilDate(daysSinceEpoch: days)
            let start = civil.start(in: zone)
            let components = DateComponents(year: civil.year, month: civil.month, day: civil.day)
            let expected = calendar.startOfDay(for: calendar.date(from: components)!)
            #expect(start == expected, "\(civil) in \(zoneID)")
            #expect(CivilDate(start, in: zone) == civil)
            let instant = Date(timeIntervalSince1970: Double(days) * 86_400 + Double(second))
            let parts = calendar.dateComponents([.year, .month, .day], from: instant)
            let local = CivilDate(instant, in: zone)
            #expect(local.year == parts.year && local.month == parts.month && local.day == parts.day, "\(instant)")
        }
    }

    @Test func codableAsISOString() throws {
        let date = try #require(CivilDate(iso: "2026-11-24"))
        #expect(try JSONEncoder().encode([date]) == Data(#"["2026-11-24"]"#.utf8))
        #expect(try JSONDecoder().decode([CivilDate].self, from: Data(#"["2026-11-24"]"#.utf8)) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["24.11.2026"]"#.utf8))
        }
    }
}
