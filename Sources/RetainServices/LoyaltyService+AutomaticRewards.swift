import Foundation
import RetainCore

extension LoyaltyService {
    /// How far back the job gives calendar rewards it missed (downtime), in days.
    static let calendarCatchUpDays = 31

    /// Gives the birthday and anniversary rewards due by `asOf` (each once per occasion; a run after downtime
    /// gives what fell due in the last 31 days). Returns how many were given. Part of the scheduled job.
    public func runCalendarRewards(program: String, asOf time: Date) async throws -> Int {
        let settings = try await environment.programs.program(program).settings
        let configuration = try await store.read(program: program) {
            try await $0.configuration()?.configuration ?? .empty
        }
        let calendar = configuration.automaticRewards.filter { $0.trigger == .birthday || $0.trigger == .anniversary }
        guard !calendar.isEmpty else { return 0 }
        var given = 0
        for automatic in calendar {
            var after: String?
            switch automatic.trigger {
            case .birthday:
                let days = Self.birthdayCandidates(automatic, asOf: time)
                repeat {
                    let cursor = after
                    let page = try await store.read(program: program) {
                        try await $0.customers(birthMonthDays: days, after: cursor, limit: 500)
                    }
                    given += try await give(automatic, to: page, program: program, settings: settings, asOf: time) {
                        customer in
                        Self.birthdayOccasion(automatic, customer: customer, settings: settings, asOf: time)
                    }
                    after = page.count == 500 ? page.last?.id : nil
                } while after != nil
            case .anniversary:
                for year in automatic.years.map({ [$0] }) ?? Array(1...50) {
                    let end = CivilDate.instant(time, addingMonths: -12 * year, in: settings.zone)
                    let start = end.addingTimeInterval(-Double(Self.calendarCatchUpDays) * 86_400)
                    after = nil
                    repeat {
                        let cursor = after
                        let page = try await store.read(program: program) {
                            try await $0.customers(joinedFrom: start, to: end, after: cursor, limit: 500)
                        }
                        given += try await give(
                            automatic, to: page, program: program, settings: settings, asOf: time
                        ) { customer in
                            (
                                "\(year)",
                                CivilDate.instant(customer.createdAt, addingMonths: 12 * year, in: settings.zone)
                            )
                        }
                        after = page.count == 500 ? page.last?.id : nil
                    } while after != nil
                }
            default: break
            }
        }
        return given
    }

    /// Gives `automatic` to each customer whose `occasion` (key and time) is due, in one transaction.
    private func give(
        _ automatic: AutomaticReward, to customers: [Customer], program: String, settings: ProgramSettings,
        asOf time: Date, occasion: @Sendable (Customer) -> (String, Date)?
    ) async throws -> Int {
        let due = customers.compactMap { customer in occasion(customer).map { (customer.id, $0.0, $0.1) } }
        guard !due.isEmpty else { return 0 }
        let now = self.now
        return try await store.write(program: program) { session in
            let engine = try await membershipEngine(session, settings: settings)
            // All at once, in id order, before their memberships are read: order batches run beside this job with
            // row locks only.
            try await session.lockCustomers(ids: due.map(\.0))
            let stored = Dictionary(
                uniqueKeysWithValues: try await session.memberships(customerIDs: due.map(\.0)).map {
                    ($0.customerID, $0)
                })
            var given = 0
            var changes = LedgerChanges()
            for (customerID, key, at) in due {
                var membership = engine.membership(stored[customerID], customerID: customerID, at: at)
                var wallet = try await loadWallet(session, customerID: customerID, at: now)
                guard engine.give(automatic, occasion: key, at: at, to: &membership, wallet: &wallet, now: now)
                else { continue }
                given += 1
                changes.append(wallet.changes)
                try await saveMembership(membership, engine: engine, in: session, at: now)
            }
            try await session.apply(changes)
            return given
        }
    }

    /// The `MM-DD` birthdays whose reward may be due in the catch-up window up to `time` (a day of margin either
    /// side for time zones).
    static func birthdayCandidates(_ automatic: AutomaticReward, asOf time: Date) -> [String] {
        let today = CivilDate(time, in: TimeZone(identifier: "UTC")!)
        var days: Set<String> = []
        for offset in -(calendarCatchUpDays + 1)...1 {
            let date = today.adding(days: offset)
            switch automatic.lead ?? .birthday {
            case .birthday: days.insert(monthDay(date))
            case .daysBefore: days.insert(monthDay(date.adding(days: automatic.days ?? 0)))
            case .monthStart:
                guard date.day == 1 else { continue }
                for day in 1...31 { days.insert(String(format: "%02d-%02d", date.month, day)) }
            }
        }
        if days.contains("02-28") { days.insert("02-29") }
        return days.sorted()
    }

    static func monthDay(_ date: CivilDate) -> String { String(format: "%02d-%02d", date.month, date.day) }

    /// The year whose birthday reward is due for the customer by `time` (in their time zone, else the program's),
    /// within the catch-up window, with the moment it fell due.
    static func birthdayOccasion(
        _ automatic: AutomaticReward, customer: Customer, settings: ProgramSettings, asOf time: Date
    ) -> (String, Date)? {
        guard let birthday = customer.birthday, birthday.count >= 5,
            let month = Int(birthday.suffix(5).prefix(2)), let day = Int(birthday.suffix(2))
        else { return nil }
        let zone = customer.timeZone.flatMap(TimeZone.init(identifier:)) ?? settings.zone
        let today = CivilDate(time, in: zone)
        for year in [today.year + 1, today.year] {
            let due = automatic.birthdayDueDay(month: month, day: day, year: year)
            let late = today.daysSinceEpoch - due.daysSinceEpoch
            if late >= 0 && late <= calendarCatchUpDays { return ("\(year)", due.start(in: zone)) }
        }
        return nil
    }
}
