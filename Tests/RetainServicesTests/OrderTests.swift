import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct OrderTests {
    @Test func sameOrderTwiceGivesTheSameAnswerAndOneSetOfEntries() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let input = stack.order("o-1", CustomerReference(email: "ann@example.com"), total: 12_345)
            let first = try await stack.record(input)
            #expect(first.pointsEarned == 123)
            #expect(first.customerID == ann && !first.customerCreated)
            stack.advance(days: 1)
            let second = try await stack.record(input)
            #expect(second == first)
            let entries = try await stack.entries(ann)
            #expect(entries.count == 1)
            #expect(try await stack.checkBalance(ann) == 123)
        }
    }

    @Test func sameOrderIDWithADifferentBodyIsAConflict() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(email: "ann@example.com"), total: 10_000))
            let error = await caught {
                try await stack.record(stack.order("o-1", CustomerReference(email: "ann@example.com"), total: 20_000))
            }
            #expect(error.isConflict)
            #expect(try await stack.entries(ann).count == 1)
            #expect(try await stack.checkBalance(ann) == 100)
        }
    }

    @Test func unknownCustomerIsCreatedUnderPolicyCreateAndGetsTheSignupBonus() async throws {
        let signup = EarningRule(id: "welcome", name: "welcome", kind: .signupBonus, points: 50)
        try await withStack(rules: [onePerEuro, signup]) { stack in
            let result = try await stack.record(
                stack.order("o-1", CustomerReference(email: " New@Example.com"), total: 2_000))
            #expect(result.customerCreated)
            let id = try #require(result.customerID)
            #expect(result.pointsEarned == 20)
            #expect(result.wallet?.balance == 70)
            let view = try await stack.service.customer(program: stack.program, id: "email:new@example.com")
            #expect(view.customer.id == id)
            let entries = try await stack.entries(id)
            #expect(entries.map(\.sourceType).sorted { $0.rawValue < $1.rawValue } == [.order, .signup])
            #expect(entries.first { $0.sourceType == .signup }?.points == 50)
            #expect(try await stack.checkBalance(id) == 70)
            // The retry does not create a second customer or pay a second bonus.
            let again = try await stack.record(
                stack.order("o-1", CustomerReference(email: "new@example.com"), total: 2_000))
            #expect(again.customerID == id)
            let everyone = try await stack.service.listCustomers(program: stack.program, query: CustomerQuery())
            #expect(everyone.count == 1)
            #expect(try await stack.checkBalance(id) == 70)
        }
    }

    @Test func unknownCustomerUnderPolicyHoldIsKeptUnmatchedWithoutPoints() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.unknownCustomer = .hold
        try await withStack(settings: settings, rules: [onePerEuro]) { stack in
            let result = try await stack.record(
                stack.order("o-1", CustomerReference(email: "ghost@example.com"), total: 5_000))
            #expect(result.status == .unmatched)
            #expect(
                result.customerID == nil && result.pointsEarned == 0 && result.wallet == nil && !result.customerCreated)
            let view = try await stack.service.order(program: stack.program, id: "o-1")
            #expect(view.status == .unmatched && view.customerID == nil && view.pointsEarned == 0)
            let everyone = try await stack.service.listCustomers(program: stack.program, query: CustomerQuery())
            #expect(everyone.isEmpty)
            let lookup = await caught {
                _ = try await stack.service.customer(program: stack.program, id: "email:ghost@example.com")
            }
            #expect(lookup.isNotFound)
        }
    }

    @Test func externalIDOutranksEmailWhenTheyNameDifferentCustomers() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let a = try await stack.customer(email: "a@example.com", externalID: "shop-a")
            let b = try await stack.customer(email: "b@example.com", externalID: "shop-b")
            let result = try await stack.record(
                stack.order("o-1", CustomerReference(externalID: "shop-a", email: "b@example.com"), total: 3_000))
            #expect(result.customerID == a)
            #expect(try await stack.checkBalance(a) == 30)
            #expect(try await stack.checkBalance(b) == 0)
            // A Retain id outranks everything else.
            let byID = try await stack.record(
                stack.order("o-2", CustomerReference(customerID: b, externalID: "shop-a"), total: 1_000))
            #expect(byID.customerID == b)
        }
    }

    @Test func aCustomerIDThatDoesNotExistIsInvalid() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let error = await caught {
                try await stack.record(stack.order("o-1", CustomerReference(customerID: "cus_nobody"), total: 1_000))
            }
            #expect(error.invalidFields == ["customer.customer_id"])
            #expect(await caught { _ = try await stack.service.order(program: stack.program, id: "o-1") }.isNotFound)
            let customers = try await stack.service.listCustomers(program: stack.program, query: CustomerQuery())
            #expect(customers.isEmpty)
        }
    }

    @Test func anOrderInAnotherCurrencyIsInvalidAndWritesNothing() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let error = await caught {
                try await stack.record(
                    stack.order(
                        "o-1", CustomerReference(email: "ann@example.com"), total: 1_000,
                        currency: "USD"))
            }
            #expect(error.invalidFields == ["currency"])
            #expect(await caught { _ = try await stack.service.order(program: stack.program, id: "o-1") }.isNotFound)
            #expect(try await stack.entries(ann).isEmpty)
            // Nor does it reserve the order id: the same id in the right currency is accepted afterwards.
            let fixed = try await stack.record(
                stack.order("o-1", CustomerReference(email: "ann@example.com"), total: 1_000))
            #expect(fixed.pointsEarned == 10)
        }
    }

    @Test func anUnknownCustomerUnderPolicyCreateInAnotherCurrencyCreatesNobody() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let error = await caught {
                try await stack.record(
                    stack.order(
                        "o-1", CustomerReference(email: "new@example.com"), total: 1_000,
                        currency: "GBP"))
            }
            #expect(error.invalidFields == ["currency"])
            let customers = try await stack.service.listCustomers(program: stack.program, query: CustomerQuery())
            #expect(customers.isEmpty)
        }
    }

    @Test func simulateWritesNothing() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let simulated = try await stack.service.simulate(
                program: stack.program, stack.order("o-1", CustomerReference(email: "ann@example.com"), total: 4_321))
            #expect(simulated.pointsEarned == 43)
            #expect(try await stack.entries(ann).isEmpty)
            #expect(await caught { _ = try await stack.service.order(program: stack.program, id: "o-1") }.isNotFound)
        }
    }
}
