import Foundation
import Hummingbird
import HTTPTypes
import RetainCore
import RetainServices

/// `/v1/customers`: enrol, update, look up, list; wallet, ledger, redemptions and adjustments.
struct CustomerController {
    let service: LoyaltyService

    struct CustomerList: Codable {
        var customers: [Customer]
        var nextAfter: String?

        enum CodingKeys: String, CodingKey {
            case customers
            case nextAfter = "next_after"
        }
    }

    func register(on group: RouterGroup<RetainRequestContext>) {
        group.post("customers") { request, context in
            let program = try context.program(for: .write)
            let fields = try await JSONResponse.decode(CustomerFields.self, from: request, context: context)
            let view = try await service.createCustomer(
                program: program, fields: fields, idempotencyKey: try idempotencyKey(request, required: false))
            return try JSONResponse.make(view, status: .created)
        }
        group.get("customers") { request, context in
            let program = try context.program(for: .read)
            let limit = try limitParameter(request, default: 50)
            let query = CustomerQuery(
                search: request.uri.queryParameters.get("search"), limit: limit,
                after: request.uri.queryParameters.get("after"))
            let customers = try await service.listCustomers(program: program, query: query)
            return try JSONResponse.make(
                CustomerList(customers: customers, nextAfter: customers.count == limit ? customers.last?.id : nil))
        }
        group.get("customers/:id") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.customer(program: program, id: try context.pathParameter("id")))
        }
        group.patch("customers/:id") { request, context in
            let program = try context.program(for: .write)
            let fields = try await JSONResponse.decode(CustomerFields.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.updateCustomer(
                    program: program, id: try context.pathParameter("id"), fields: fields))
        }
        group.get("customers/:id/wallet") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.wallet(program: program, customerID: try context.pathParameter("id")))
        }
        group.get("customers/:id/ledger") { request, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.ledger(
                    program: program, customerID: try context.pathParameter("id"),
                    limit: try limitParameter(request, default: 50), before: request.uri.queryParameters.get("before")))
        }
        group.post("customers/:id/redemptions") { request, context in
            let program = try context.program(for: .write)
            let body = try await JSONResponse.decode(RedemptionRequest.self, from: request, context: context)
            let result = try await service.redeem(
                program: program, customerID: try context.pathParameter("id"), body,
                idempotencyKey: try idempotencyKey(request, required: true)!)
            return try JSONResponse.make(result, status: .created)
        }
        group.post("customers/:id/adjustments") { request, context in
            let program = try context.program(for: .admin)
            let body = try await JSONResponse.decode(AdjustmentRequest.self, from: request, context: context)
            let result = try await service.adjust(
                program: program, customerID: try context.pathParameter("id"), body, actor: context.actor,
                idempotencyKey: try idempotencyKey(request, required: true)!)
            return try JSONResponse.make(result, status: .created)
        }
    }
}

/// The `Idempotency-Key` header: 1–128 visible characters.
func idempotencyKey(_ request: Request, required: Bool) throws -> String? {
    guard let value = request.headers[HTTPField.Name("Idempotency-Key")!] else {
        if required {
            throw APIProblem.invalid([
                FieldIssue(
                    "Idempotency-Key", "this request needs an Idempotency-Key header so a retry cannot spend twice")
            ])
        }
        return nil
    }
    guard (1...128).contains(value.count), value.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
        throw APIProblem.invalid([FieldIssue("Idempotency-Key", "must be 1–128 visible ASCII characters")])
    }
    return value
}

/// `limit` query parameter, 1–`maximum` (200 unless a list allows more).
func limitParameter(_ request: Request, default value: Int, maximum: Int = 200) throws -> Int {
    guard let raw = request.uri.queryParameters.get("limit") else { return value }
    guard let limit = Int(raw), (1...maximum).contains(limit) else {
        throw APIProblem.invalid([FieldIssue("limit", "must be an integer from 1 to \(maximum)")])
    }
    return limit
}
