import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct ProgramIsolationTests {
    @Test func customersOrdersAndRulesOfOneProgramAreInvisibleFromAnother() async throws {
        try await withStack { stack in
            let admin = stack.administration
            _ = try await admin.createProgram(
                id: "a", name: "Shop A", settings: ProgramSettings(currency: TestStack.eur))
            _ = try await admin.createProgram(
                id: "b", name: "Shop B", settings: ProgramSettings(currency: TestStack.eur))
            let service = stack.service
            try await stack.setRules([onePerEuro], program: "a")
            let ann = try await stack.customer(email: "ann@example.com", externalID: "ext-1", program: "a")
            let inA = try await stack.record(
                stack.order("o-1", CustomerReference(customerID: ann), total: 5_000), program: "a")
            #expect(inA.pointsEarned == 50)

            // Nothing of A is visible from B, by any identifier.
            for id in [ann, "email:ann@example.com", "external_id:ext-1"] {
                #expect(await caught { _ = try await service.customer(program: "b", id: id) }.isNotFound, "\(id)")
            }
            #expect(try await service.listCustomers(program: "b", query: CustomerQuery()).isEmpty)
            #expect(
                try await service.listCustomers(program: "b", query: CustomerQuery(search: "ann@example.com")).isEmpty)
            #expect(await caught { _ = try await service.order(program: "b", id: "o-1") }.isNotFound)
            #expect(try await service.rules(program: "b").isEmpty)
            #expect(await caught { _ = try await service.wallet(program: "b", customerID: ann) }.isNotFound)
            #expect(
                await caught { _ = try await service.ledger(program: "b", customerID: ann, limit: 10, before: nil) }
                    .isNotFound)

            // Writes in B cannot reach A's customer or order.
            let byID = await caught {
                _ = try await service.recordOrder(
                    program: "b", stack.order("o-2", CustomerReference(customerID: ann), total: 1_000))
            }
            #expect(byID.invalidFields == ["customer.customer_id"])
            let redeem = await caught {
                _ = try await service.redeem(
                    program: "b", customerID: ann, RedemptionRequest(points: 10), idempotencyKey: "k")
            }
            #expect(redeem.isNotFound)
            let adjust = await caught {
                _ = try await service.adjust(
                    program: "b", customerID: ann, AdjustmentRequest(points: 10, reason: "test"),
                    actor: "x", idempotencyKey: "k")
            }
            #expect(adjust.isNotFound)
            let returned = await caught {
                _ = try await service.recordReturn(
                    program: "b", orderID: "o-1", ReturnInput(returnID: "r-1", whole: true))
            }
            #expect(returned.isNotFound)

            // The same e-mail and order id in B are a different customer and a different order, earning by B's rules.
            let inB = try await stack.record(
                stack.order("o-1", CustomerReference(email: "ann@example.com"), total: 9_000), program: "b")
            #expect(inB.customerCreated && inB.customerID != ann && inB.pointsEarned == 0)
            let otherAnn = try #require(inB.customerID)
            #expect(await caught { _ = try await service.customer(program: "a", id: otherAnn) }.isNotFound)

            // A is unchanged.
            let orderInA = try await service.order(program: "a", id: "o-1")
            #expect(orderInA.order.paid == 5_000 && orderInA.customerID == ann && orderInA.pointsReversed == 0)
            #expect(try await service.wallet(program: "a", customerID: ann).balance == 50)
            #expect(try await service.rules(program: "a").map(\.id) == ["base"])
            #expect(try await service.listCustomers(program: "a", query: CustomerQuery()).map(\.id) == [ann])
        }
    }

    @Test func keysAndExpiryRunsArePerProgram() async throws {
        try await withStack { stack in
            var settings = ProgramSettings(currency: TestStack.eur)
            settings.pointsExpireAfterDays = 10
            _ = try await stack.administration.createProgram(id: "a", name: "Shop A", settings: settings)
            _ = try await stack.administration.createProgram(id: "b", name: "Shop B", settings: settings)
            let service = stack.service
            var owners: [String: String] = [:]
            for program in ["a", "b"] {
                let customer = try await stack.customer(email: "ann@example.com", program: program)
                owners[program] = customer
                _ = try await service.adjust(
                    program: program, customerID: customer,
                    AdjustmentRequest(points: 300, reason: "opening balance"), actor: "test",
                    idempotencyKey: "same-key")
                // The same Idempotency-Key in each program is two different requests, each with its effect.
                let redeemed = try await service.redeem(
                    program: program, customerID: customer,
                    RedemptionRequest(points: 100), idempotencyKey: "same-key")
                #expect(redeemed.wallet.balance == 200)
            }
            let a = try #require(owners["a"])
            let b = try #require(owners["b"])
            #expect(a != b)
            stack.advance(days: 11)
            let report = try await service.expirePoints(program: "b")
            #expect(counts(report) == [1, 1, 200])
            #expect(try await service.wallet(program: "b", customerID: b).balance == 0)
            let walletA = try await service.wallet(program: "a", customerID: a)
            #expect(walletA.balance == 200 && walletA.awaitingExpiry == 200)
            #expect(try await service.ledger(program: "a", customerID: a, limit: 10, before: nil).entries.count == 2)
        }
    }

    @Test func anUnknownProgramIsNotFound() async throws {
        try await withStack { stack in
            let error = await caught { _ = try await stack.service.rules(program: "nope") }
            #expect(error.isNotFound)
            let duplicate = await caught {
                _ = try await stack.administration.createProgram(
                    id: "default", name: "again", settings: ProgramSettings(currency: TestStack.eur))
            }
            #expect(duplicate.isConflict)
        }
    }
}
