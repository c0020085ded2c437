import Foundation
import RetainCore

/// A customer with their wallet, as the API shows them.
public struct CustomerView: Codable, Sendable, Equatable {
    public var customer: Customer
    public var wallet: WalletSummary
}

extension LoyaltyService {
    /// Enrols a customer (welcome and profile bonuses included). With an idempotency key, a retry gets the first
    /// answer.
    public func createCustomer(program: String, fields: CustomerFields, idempotencyKey: String?) async throws
        -> CustomerView
    {
        let settings = try await environment.programs.program(program).settings
        let time = now
        let requestHash = APIJSON.fingerprint(fields)
        return try await store.write(program: program) { session in
            try await once(
                session, scope: "customers", key: idempotencyKey, label: "Idempotency-Key \(idempotencyKey ?? "")",
                requestHash: requestHash, at: time
            ) {
                var customer = Customer(
                    id: environment.ids.make("cus"), programID: program, createdAt: time, updatedAt: time)
                try fields.apply(to: &customer)
                try await ensureUnique(customer, in: session)
                var wallet = Wallet(programID: program, customerID: customer.id, openLots: [], ids: environment.ids)
                creditMembershipBonuses(
                    &customer, isNew: true, rules: try await session.rules(), settings: settings,
                    wallet: &wallet, at: time)
                try await session.insertCustomers([customer])
                try await session.apply(wallet.changes)
                return CustomerView(
                    customer: customer, wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
            }
        }
    }

    /// Changes the fields sent; may complete the profile and so earn its bonus.
    public func updateCustomer(program: String, id: String, fields: CustomerFields) async throws -> CustomerView {
        let settings = try await environment.programs.program(program).settings
        let time = now
        return try await store.write(program: program) { session in
            guard var customer = try await session.customer(id: id) else {
                throw DomainError.notFound(what: "customer", id: id)
            }
            try fields.apply(to: &customer)
            customer.updatedAt = time
            try await ensureUnique(customer, in: session)
            var wallet = try await loadWallet(session, customerID: id, at: time)
            creditMembershipBonuses(
                &customer, isNew: false, rules: try await session.rules(), settings: settings,
                wallet: &wallet, at: time)
            try await session.updateCustomer(customer)
            try await session.apply(wallet.changes)
            return CustomerView(customer: customer, wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
        }
    }

    /// The id of the customer a path names (`cus_…`, `email:…`, `phone:…`, `external:…`, `card:…`); not found
    /// otherwise.
    public func customerID(program: String, reference: String) async throws -> String {
        let lookup = Self.lookup(for: reference)
        return try await store.read(program: program) { session in
            guard let customer = try await session.findCustomer(lookup) else {
                throw DomainError.notFound(what: "customer", id: reference)
            }
            return customer.id
        }
    }

    /// A customer by Retain id, or by `external_id:…`, `email:…`, `phone:…`, `card:…`.
    public func customer(program: String, id: String) async throws -> CustomerView {
        let settings = try await environment.programs.program(program).settings
        let time = now
        let lookup = Self.lookup(for: id)
        return try await store.read(program: program) { session in
            guard let customer = try await session.findCustomer(lookup) else {
                throw DomainError.notFound(what: "customer", id: id)
            }
            let wallet = Wallet(
                programID: program, customerID: customer.id,
                openLots: try await session.openLots(customerIDs: [customer.id]), ids: environment.ids)
            return CustomerView(customer: customer, wallet: WalletSummary(wallet: wallet, settings: settings, at: time))
        }
    }

    public func listCustomers(program: String, query: CustomerQuery) async throws -> [Customer] {
        _ = try await environment.programs.program(program)
        return try await store.read(program: program) { session in try await session.listCustomers(query) }
    }

    /// `email:ann@example.com` → lookup by e-mail; a bare value is a Retain id.
    public static func lookup(for id: String) -> CustomerLookup {
        let parts = id.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return .id(id) }
        switch parts[0] {
        case "external_id", "external": return .externalID(parts[1])
        case "email": return .email(ContactNormalization.email(parts[1]) ?? parts[1])
        case "phone": return .phone(ContactNormalization.phone(parts[1]) ?? parts[1])
        case "card", "card_number": return .cardNumber(parts[1])
        default: return .id(id)
        }
    }
}
