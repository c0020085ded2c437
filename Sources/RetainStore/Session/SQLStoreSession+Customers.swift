import Foundation
import RetainCore
import SQLKit

extension SQLStoreSession {
    func customer(id: String) async throws -> Customer? {
        try await customer(where: "id", id)
    }

    func findCustomer(_ lookup: CustomerLookup) async throws -> Customer? {
        switch lookup {
        case .id(let id): return try await customer(where: "id", id)
        case .externalID(let value): return try await customer(where: "external_id", value)
        case .cardNumber(let value): return try await customer(where: "card_number", value)
        case .email(let value): return try await customer(where: "email", value)
        case .phone(let value): return try await customer(where: "phone", value)
        }
    }

    func findCustomers(_ lookups: [CustomerLookup]) async throws -> [Customer] {
        try await findCustomers(lookups, locking: false)
    }

    func findAndLockCustomers(_ lookups: [CustomerLookup]) async throws -> [Customer] {
        try await findCustomers(lookups, locking: true)
    }

    /// One query per kind of identifier; when locking, each locks its rows in id order (the order
    /// `lockCustomers` keeps, so that batches do not wait for each other in a circle).
    private func findCustomers(_ lookups: [CustomerLookup], locking: Bool) async throws -> [Customer] {
        let lockClause = locking ? rowLockClause : nil
        var found: [String: Customer] = [:]
        for (column, all) in Self.valuesByColumn(lookups) {
            for start in stride(from: 0, to: all.count, by: 500) {
                var select = database.select().column("doc").from("customers")
                    .where("program_id", .equal, programID)
                    .where(SQLIdentifier(column), .in, Array(all[start..<min(start + 500, all.count)]))
                if let lockClause { select = select.orderBy("id").lockingClause(SQLRaw(lockClause)) }
                let rows = try await select.all()
                for row in rows {
                    let customer = try StoreCoding.decode(Customer.self, from: row.string("doc"))
                    found[customer.id] = customer
                }
            }
        }
        return found.values.sorted { $0.id < $1.id }
    }

    /// The values the lookups name, sorted and without repeats, per customers column, the columns in name order.
    static func valuesByColumn(_ lookups: [CustomerLookup]) -> [(column: String, values: [String])] {
        var byColumn: [String: Set<String>] = [:]
        for lookup in lookups {
            switch lookup {
            case .id(let value): byColumn["id", default: []].insert(value)
            case .externalID(let value): byColumn["external_id", default: []].insert(value)
            case .cardNumber(let value): byColumn["card_number", default: []].insert(value)
            case .email(let value): byColumn["email", default: []].insert(value)
            case .phone(let value): byColumn["phone", default: []].insert(value)
            }
        }
        return byColumn.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted()) }
    }

    private func customer(where column: String, _ value: String) async throws -> Customer? {
        let row = try await database.select().column("doc").from("customers")
            .where("program_id", .equal, programID).where(SQLIdentifier(column), .equal, SQLBind(value))
            .first()
        return try row.map { try StoreCoding.decode(Customer.self, from: $0.string("doc")) }
    }

    func insertCustomers(_ customers: [Customer]) async throws {
        guard !customers.isEmpty else { return }
        let programID = programID
        // The documents are made when the insert runs: while writing behind, beside the caller's next batch.
        try await insertRows(
            "customers",
            columns: [
                "program_id", "id", "external_id", "card_number", "email", "phone", "name_key", "doc",
                "created_at", "updated_at", "birth_md",
            ],
            making: {
                try customers.map { customer in
                    [
                        .text(programID), .text(customer.id), .text(customer.externalID), .text(customer.cardNumber),
                        .text(customer.email), .text(customer.phone), .text(Self.nameKey(customer)),
                        .text(try StoreCoding.document(customer)), .millis(customer.createdAt),
                        .millis(customer.updatedAt), .text(Self.birthMonthDay(customer)),
                    ]
                }
            })
    }

    func updateCustomer(_ customer: Customer) async throws {
        try await database.update("customers")
            .set("external_id", to: SQLBind(customer.externalID))
            .set("card_number", to: SQLBind(customer.cardNumber))
            .set("email", to: SQLBind(customer.email))
            .set("phone", to: SQLBind(customer.phone))
            .set("name_key", to: SQLBind(Self.nameKey(customer)))
            .set("birth_md", to: SQLBind(Self.birthMonthDay(customer)))
            .set("doc", to: SQLBind(try StoreCoding.document(customer)))
            .set("updated_at", to: SQLBind(StoreCoding.millis(customer.updatedAt)))
            .where("program_id", .equal, programID).where("id", .equal, customer.id)
            .run()
    }

    func listCustomers(_ query: CustomerQuery) async throws -> [Customer] {
        let select = database.select().column("doc").from("customers").where("program_id", .equal, programID)
        if let after = query.after { select.where("id", .greaterThan, after) }
        if let search = query.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            let email = ContactNormalization.email(search) ?? search
            let phone = ContactNormalization.phone(search) ?? search
            let namePrefix = search.lowercased()
            select.where { group in
                group.where("email", .equal, email)
                    .orWhere("phone", .equal, phone)
                    .orWhere("external_id", .equal, search)
                    .orWhere("card_number", .equal, search)
                    .orWhere("id", .equal, search)
                    .orWhere("name_key", .like, namePrefix.replacingOccurrences(of: "%", with: "") + "%")
            }
        }
        let rows = try await select.orderBy("id").limit(query.limit).all()
        return try rows.map { try StoreCoding.decode(Customer.self, from: $0.string("doc")) }
    }

    func lockCustomers(ids: [String]) async throws {
        guard let rowLockClause, !ids.isEmpty else { return }
        let sorted = Set(ids).sorted()
        for start in stride(from: 0, to: sorted.count, by: Self.batchSize) {
            let chunk = sorted[start..<min(start + Self.batchSize, sorted.count)]
            _ = try await database.raw(
                """
                SELECT id FROM customers WHERE program_id = \(bind: programID) AND id IN \(SQLGroupExpression(SQLList(chunk.map { SQLBind($0) })))
                ORDER BY id \(unsafeRaw: rowLockClause)
                """
            ).all()
        }
    }

    /// `MM-DD` of the birthday (`YYYY-MM-DD` or `--MM-DD`), for the birthday job.
    static func birthMonthDay(_ customer: Customer) -> String? {
        guard let birthday = customer.birthday, birthday.count >= 5 else { return nil }
        return String(birthday.suffix(5))
    }

    func customers(birthMonthDays: [String], after: String?, limit: Int) async throws -> [Customer] {
        guard !birthMonthDays.isEmpty else { return [] }
        let select = database.select().column("doc").from("customers").where("program_id", .equal, programID)
            .where("birth_md", .in, birthMonthDays)
        if let after { select.where("id", .greaterThan, after) }
        return try await select.orderBy("id").limit(limit).all().map {
            try StoreCoding.decode(Customer.self, from: $0.string("doc"))
        }
    }

    func customers(joinedFrom start: Date, to end: Date, after: String?, limit: Int) async throws -> [Customer] {
        let select = database.select().column("doc").from("customers").where("program_id", .equal, programID)
            .where("created_at", .greaterThan, StoreCoding.millis(start))
            .where("created_at", .lessThanOrEqual, StoreCoding.millis(end))
        if let after { select.where("id", .greaterThan, after) }
        return try await select.orderBy("id").limit(limit).all().map {
            try StoreCoding.decode(Customer.self, from: $0.string("doc"))
        }
    }

    /// Lower-cased "first last" for prefix search by name.
    static func nameKey(_ customer: Customer) -> String? {
        let name = [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " ").lowercased()
        return name.isEmpty ? nil : name
    }
}
