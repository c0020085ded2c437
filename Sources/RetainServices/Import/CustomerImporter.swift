import Foundation
import RetainCore

/// Bulk customer import: creates the customers not yet known by their external id (or e-mail, phone), with the
/// same validation and welcome bonuses as `createCustomer`, 1,000 per transaction. Known customers are left as
/// they are, so a second run changes nothing.
public struct CustomerImporter: Sendable {
    public let service: LoyaltyService

    public init(service: LoyaltyService) {
        self.service = service
    }

    public func run(
        program: String, rows: [(line: Int, fields: CustomerFields)], report initial: ImportReport,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> ImportReport {
        let environment = service.environment
        let settings = try await environment.programs.program(program).settings
        let rules = try await environment.store.read(program: program) { try await $0.rules() }
        var report = initial
        var done = 0
        while done < rows.count {
            let batch = Array(rows[done..<min(done + 1_000, rows.count)])
            let time = environment.clock.now()
            let outcome = try await environment.store.write(program: program) { session -> ImportReport in
                var partial = ImportReport()
                var created: [Customer] = []
                var changes = LedgerChanges()
                for (line, fields) in batch {
                    var customer = Customer(
                        id: environment.ids.make("cus"), programID: program, createdAt: time, updatedAt: time)
                    do {
                        try fields.apply(to: &customer)
                    } catch {
                        partial.skip(.invalidOrder, line: line)
                        if partial.notes.count < 10 { partial.notes.append("line \(line): \(error)") }
                        continue
                    }
                    let reference = CustomerReference(
                        externalID: customer.externalID, cardNumber: customer.cardNumber,
                        email: customer.email, phone: customer.phone)
                    if try await service.match(reference, in: session) != nil
                        || created.contains(where: {
                            ($0.externalID != nil && $0.externalID == customer.externalID)
                                || ($0.email != nil && $0.email == customer.email)
                        })
                    {
                        partial.customersAlreadyKnown += 1
                        continue
                    }
                    var wallet = Wallet(programID: program, customerID: customer.id, openLots: [], ids: environment.ids)
                    service.creditMembershipBonuses(
                        &customer, isNew: true, rules: rules, settings: settings, wallet: &wallet, at: time)
                    changes.append(wallet.changes)
                    created.append(customer)
                }
                try await session.insertCustomers(created)
                try await session.apply(changes)
                partial.customersCreated = created.count
                return partial
            }
            report.customersCreated += outcome.customersCreated
            report.customersAlreadyKnown += outcome.customersAlreadyKnown
            for (reason, skips) in outcome.skipped {
                for line in skips.firstLines { report.skip(SkipReason(rawValue: reason)!, line: line, rows: 0) }
                report.skipped[reason]!.rows += skips.rows
            }
            report.notes += outcome.notes
            done += batch.count
            progress(done, rows.count)
        }
        return report
    }
}
