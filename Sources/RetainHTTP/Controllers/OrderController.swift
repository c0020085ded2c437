import Foundation
import Hummingbird
import RetainCore
import RetainServices

/// `/v1/orders` and `/v1/events`: what customers buy, return and do.
struct OrderController {
    let service: LoyaltyService

    func register(on group: RouterGroup<RetainRequestContext>) {
        group.post("orders") { request, context in
            let program = try context.program(for: .write)
            let input = try await JSONResponse.decode(OrderInput.self, from: request, context: context)
            let answer = try await service.recordOrderAnswer(program: program, input)
            return JSONResponse.make(json: answer.json, status: .created)
        }
        group.post("orders/simulate") { request, context in
            let program = try context.program(for: .read)
            let input = try await JSONResponse.decode(SimulationInput.self, from: request, context: context)
            return try JSONResponse.make(try await service.simulate(program: program, input.order))
        }
        group.get("orders") { request, context in
            let program = try context.program(for: .read)
            let limit = try limitParameter(request, default: 50)
            var status: OrderRecord.Status?
            if let raw = request.uri.queryParameters.get("status") {
                guard let parsed = OrderRecord.Status(rawValue: raw) else {
                    throw APIProblem.invalid([
                        FieldIssue(
                            "status",
                            "must be one of \(OrderRecord.Status.allCases.map(\.rawValue).joined(separator: ", "))")
                    ])
                }
                status = parsed
            }
            let orders = try await service.listOrders(
                program: program, status: status, limit: limit, after: request.uri.queryParameters.get("after"))
            return try JSONResponse.make(
                OrderList(orders: orders, nextAfter: orders.count == limit ? orders.last?.order.orderID : nil))
        }
        group.get("orders/:order_id") { _, context in
            let program = try context.program(for: .read)
            return try JSONResponse.make(
                try await service.order(program: program, id: try context.pathParameter("order_id")))
        }
        group.post("orders/:order_id/returns") { request, context in
            let program = try context.program(for: .write)
            let input = try await JSONResponse.decode(ReturnInput.self, from: request, context: context)
            let result = try await service.recordReturn(
                program: program, orderID: try context.pathParameter("order_id"), input)
            return try JSONResponse.make(result, status: .created)
        }
        group.post("orders/:order_id/assign") { request, context in
            let program = try context.program(for: .write)
            let body = try await JSONResponse.decode(Assignment.self, from: request, context: context)
            return try JSONResponse.make(
                try await service.assignOrder(
                    program: program, orderID: try context.pathParameter("order_id"), customerID: body.customerID))
        }
        group.post("events") { request, context in
            let program = try context.program(for: .write)
            let input = try await JSONResponse.decode(EventInput.self, from: request, context: context)
            return try JSONResponse.make(try await service.recordEvent(program: program, input), status: .created)
        }
    }
}

/// A page of orders.
struct OrderList: Encodable {
    var orders: [OrderView]
    var nextAfter: String?

    enum CodingKeys: String, CodingKey {
        case orders
        case nextAfter = "next_after"
    }
}

/// `POST /v1/orders/{order_id}/assign`: the customer a held order belongs to.
struct Assignment: Decodable {
    var customerID: String

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
    }
}

/// An order to simulate: like `OrderInput`, but the customer and the order id may be left out.
struct SimulationInput: Decodable {
    var order: OrderInput

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case customer
        case placedAt = "placed_at"
        case currency, lines, discount, total
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        order = OrderInput(
            orderID: try container.decodeIfPresent(String.self, forKey: .orderID) ?? "simulation",
            customer: try container.decodeIfPresent(CustomerReference.self, forKey: .customer) ?? CustomerReference(),
            placedAt: try container.decodeIfPresent(Date.self, forKey: .placedAt) ?? Date(),
            currency: try container.decode(String.self, forKey: .currency),
            lines: try container.decodeIfPresent([OrderLine].self, forKey: .lines) ?? [],
            discount: try container.decodeIfPresent(Int64.self, forKey: .discount) ?? 0,
            total: try container.decodeIfPresent(Int64.self, forKey: .total))
    }
}
