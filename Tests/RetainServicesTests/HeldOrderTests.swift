import Foundation
import RetainCore
import RetainServices
import Testing

@Suite("held orders")
struct HeldOrderTests {
    @Test("an order held for an unknown contact earns nothing until it is assigned, once")
    func assign() async throws {
        try await withStack { stack in
            var settings = try await stack.administration.program(stack.program).settings
            settings.unknownCustomer = .hold
            _ = try await stack.administration.updateSettings(program: stack.program, settings)
            _ = try await stack.service.replaceRules(
                program: stack.program,
                RuleSet(rules: [
                    EarningRule(id: "base", name: "1 per 1.00", kind: .pointsPerAmount, points: 1, perAmount: 100)
                ]))
            let order = OrderInput(
                orderID: "H-1", customer: CustomerReference(email: "walk-in@example.com"),
                placedAt: stack.clock.now().addingTimeInterval(-3600), currency: "EUR", total: 4_250)
            let held = try await stack.service.recordOrder(program: stack.program, order)
            #expect(held.status == .unmatched)
            #expect(held.pointsEarned == 0)
            #expect(held.customerID == nil)

            var fields = CustomerFields()
            fields.email = "walk-in@example.com"
            let customer = try await stack.service.createCustomer(
                program: stack.program, fields: fields, idempotencyKey: nil)
            let id = customer.customer.id
            let assigned = try await stack.service.assignOrder(program: stack.program, orderID: "H-1", customerID: id)
            #expect(assigned.status == .recorded)
            #expect(assigned.pointsEarned == 42)
            #expect(assigned.wallet?.balance == 42)

            let again = try await stack.service.assignOrder(program: stack.program, orderID: "H-1", customerID: id)
            #expect(again.pointsEarned == 42)
            #expect(try await stack.service.wallet(program: stack.program, customerID: id).balance == 42)

            var other = CustomerFields()
            other.email = "someone@example.com"
            let second = try await stack.service.createCustomer(
                program: stack.program, fields: other, idempotencyKey: nil)
            await #expect(throws: DomainError.self) {
                _ = try await stack.service.assignOrder(
                    program: stack.program, orderID: "H-1", customerID: second.customer.id)
            }
            // A retry of the original request still gets its first answer.
            let retry = try await stack.service.recordOrder(program: stack.program, order)
            #expect(retry.status == .unmatched)
            #expect(try await stack.service.order(program: stack.program, id: "H-1").customerID == id)
        }
    }
}
