import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct EventTests {
    static let visit = EarningRule(
        id: "visit", name: "store visit", kind: .event, points: 10, eventName: "visit",
        cap: .init(period: .day, maxTimes: 2))

    /// Kyiv is UTC+2 in winter: 22:00Z on 1 January is already 2 January there.
    static func kyivSettings() -> ProgramSettings {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.timeZone = "Europe/Kyiv"
        return settings
    }

    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    func event(_ id: String, _ customerID: String, _ time: String, name: String = "visit") -> EventInput {
        EventInput(
            eventID: id, name: name, customer: CustomerReference(customerID: customerID), occurredAt: Self.at(time))
    }

    @Test func eventsPayUpToTheCapPerLocalDay() async throws {
        try await withStack(settings: Self.kyivSettings(), rules: [Self.visit]) { stack in
            stack.clock.set(Self.at("2026-01-03T12:00:00Z"))
            let ann = try await stack.customer(email: "ann@example.com")
            let record = { (input: EventInput) in try await stack.service.recordEvent(program: stack.program, input) }
            // 1 January local time: 09:00, 18:00 and 23:30 (21:30Z).
            let first = try await record(event("e-1", ann, "2026-01-01T07:00:00Z"))
            #expect(first.pointsAwarded == 10 && first.rules.map(\.capped) == [false])
            #expect(try await record(event("e-2", ann, "2026-01-01T16:00:00Z")).pointsAwarded == 10)
            let third = try await record(event("e-3", ann, "2026-01-01T21:30:00Z"))
            #expect(third.pointsAwarded == 0 && third.rules.map(\.capped) == [true])
            // 22:30Z on 1 January is 00:30 on 2 January in Kyiv: a new day pays again.
            let nextDay = try await record(event("e-4", ann, "2026-01-01T22:30:00Z"))
            #expect(nextDay.pointsAwarded == 10 && nextDay.rules.map(\.capped) == [false])
            #expect(try await stack.checkBalance(ann) == 30)
            // An event no rule names pays nothing but is recorded.
            #expect(try await record(event("e-5", ann, "2026-01-02T10:00:00Z", name: "review")).pointsAwarded == 0)
        }
    }

    @Test func aLateEventIsCountedAgainstItsOwnDayOnly() async throws {
        try await withStack(settings: Self.kyivSettings(), rules: [Self.visit]) { stack in
            stack.clock.set(Self.at("2026-01-03T12:00:00Z"))
            let ann = try await stack.customer(email: "ann@example.com")
            let record = { (input: EventInput) in try await stack.service.recordEvent(program: stack.program, input) }
            // Two visits on 2 January use up that day's cap …
            #expect(try await record(event("e-1", ann, "2026-01-02T08:00:00Z")).pointsAwarded == 10)
            #expect(try await record(event("e-2", ann, "2026-01-02T09:00:00Z")).pointsAwarded == 10)
            // … and a visit on 1 January that arrives late still pays: 1 January had none.
            let late = try await record(event("e-3", ann, "2026-01-01T10:00:00Z"))
            #expect(late.pointsAwarded == 10 && late.rules.map(\.capped) == [false])
            #expect(try await record(event("e-4", ann, "2026-01-02T10:00:00Z")).pointsAwarded == 0)
            #expect(try await stack.checkBalance(ann) == 30)
        }
    }

    @Test func weeklyAndMonthlyCapsCountTheirOwnPeriod() async throws {
        let weekly = EarningRule(
            id: "review", name: "review", kind: .event, points: 5, eventName: "review",
            cap: .init(period: .week, maxTimes: 1))
        let monthly = EarningRule(
            id: "survey", name: "survey", kind: .event, points: 7, eventName: "survey",
            cap: .init(period: .month, maxTimes: 1))
        try await withStack(rules: [weekly, monthly]) { stack in
            stack.clock.set(Self.at("2026-02-20T00:00:00Z"))
            let ann = try await stack.customer(email: "ann@example.com")
            let record = { (input: EventInput) in try await stack.service.recordEvent(program: stack.program, input) }
            // 2026-01-05 is a Monday; 2026-01-11 the Sunday of the same week.
            #expect(try await record(event("r-2", ann, "2026-01-11T10:00:00Z", name: "review")).pointsAwarded == 5)
            #expect(try await record(event("r-1", ann, "2026-01-05T10:00:00Z", name: "review")).pointsAwarded == 0)
            #expect(try await record(event("r-0", ann, "2026-01-04T10:00:00Z", name: "review")).pointsAwarded == 5)
            #expect(try await record(event("s-2", ann, "2026-02-01T00:00:00Z", name: "survey")).pointsAwarded == 7)
            #expect(try await record(event("s-1", ann, "2026-01-31T23:59:00Z", name: "survey")).pointsAwarded == 7)
            #expect(try await record(event("s-3", ann, "2026-02-15T00:00:00Z", name: "survey")).pointsAwarded == 0)
            #expect(try await stack.checkBalance(ann) == 24)
        }
    }

    @Test func aRetriedEventHasOneEffect() async throws {
        try await withStack(rules: [Self.visit]) { stack in
            stack.clock.set(Self.at("2026-01-03T12:00:00Z"))
            let ann = try await stack.customer(email: "ann@example.com")
            let input = event("e-1", ann, "2026-01-02T10:00:00Z")
            let first = try await stack.service.recordEvent(program: stack.program, input)
            let second = try await stack.service.recordEvent(program: stack.program, input)
            #expect(second == first)
            #expect(try await stack.entries(ann).count == 1)
            #expect(try await stack.checkBalance(ann) == 10)
            // The retry does not count against the cap either: a second real visit that day still pays.
            #expect(
                try await stack.service.recordEvent(program: stack.program, event("e-2", ann, "2026-01-02T11:00:00Z"))
                    .pointsAwarded == 10)
            let changed = await caught {
                _ = try await stack.service.recordEvent(
                    program: stack.program, event("e-1", ann, "2026-01-02T12:00:00Z"))
            }
            #expect(changed.isConflict)
            #expect(try await stack.checkBalance(ann) == 20)
        }
    }

    @Test func anEventForNobodyOrFromTheFutureIsInvalid() async throws {
        try await withStack(rules: [Self.visit]) { stack in
            let nobody = await caught {
                _ = try await stack.service.recordEvent(
                    program: stack.program, event("e-1", "cus_nobody", "2026-01-01T00:00:00Z"))
            }
            #expect(nobody.invalidFields == ["customer"])
            let ann = try await stack.customer(email: "ann@example.com")
            let future = await caught {
                _ = try await stack.service.recordEvent(
                    program: stack.program, event("e-2", ann, "2026-01-03T00:00:00Z"))
            }
            #expect(future.invalidFields == ["occurred_at"])
            #expect(try await stack.entries(ann).isEmpty)
        }
    }
}
