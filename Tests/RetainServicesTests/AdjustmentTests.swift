import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct AdjustmentTests {
    func adjust(
        _ stack: TestStack, _ customerID: String, _ points: Int64, reason: String = "goodwill gesture",
        actor: String = "key:ops (key_1)", key: String = UUID().uuidString
    ) async throws -> AdjustmentResult {
        try await stack.service.adjust(
            program: stack.program, customerID: customerID,
            AdjustmentRequest(points: points, reason: reason), actor: actor, idempotencyKey: key)
    }

    @Test func positiveAndNegativeAdjustmentsRecordTheActorAndReason() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let plus = try await adjust(stack, ann, 500, reason: "  parcel lost  ", actor: "alice")
            #expect(plus.entry.points == 500 && plus.entry.kind == .adjust && plus.entry.sourceType == .admin)
            #expect(plus.entry.actor == "alice" && plus.entry.reason == "parcel lost")
            #expect(plus.wallet.balance == 500 && plus.wallet.available == 500)
            let minus = try await adjust(stack, ann, -120, reason: "duplicate credit", actor: "bob")
            #expect(
                minus.entry.points == -120 && minus.entry.actor == "bob" && minus.entry.reason == "duplicate credit")
            #expect(minus.wallet.balance == 380)
            let stored = try await stack.entries(ann)
            #expect(stored.map(\.actor) == ["alice", "bob"])
            #expect(stored.map(\.points) == [500, -120])
            #expect(try await stack.checkBalance(ann) == 380)
        }
    }

    @Test func aNegativeAdjustmentLargerThanTheBalanceIsRefusedAndWritesNothing() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            _ = try await adjust(stack, ann, 100)
            let error = await caught { _ = try await adjust(stack, ann, -101) }
            #expect(error.refusalCode == "insufficient_points")
            #expect(try await stack.entries(ann).count == 1)
            #expect(try await stack.checkBalance(ann) == 100)
            // Exactly the balance is allowed and leaves zero.
            #expect(try await adjust(stack, ann, -100).wallet.balance == 0)
            #expect(try await stack.checkBalance(ann) == 0)
        }
    }

    @Test func aNegativeAdjustmentMayTakePendingPoints() async throws {
        var settings = ProgramSettings(currency: TestStack.eur)
        settings.pendingDays = 14
        try await withStack(settings: settings, rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.record(stack.order("o-1", CustomerReference(customerID: ann), total: 10_000))
            let result = try await adjust(stack, ann, -60)
            #expect(result.wallet.pending == 40 && result.wallet.balance == 40)
            #expect(try await stack.checkBalance(ann) == 40)
        }
    }

    @Test func theReasonIsMandatory() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            for reason in ["", "   ", "ok"] {
                let error = await caught { _ = try await adjust(stack, ann, 50, reason: reason) }
                #expect(error.invalidFields == ["reason"], "reason \"\(reason)\"")
            }
            let zero = await caught { _ = try await adjust(stack, ann, 0) }
            #expect(zero.invalidFields == ["points"])
            #expect(try await stack.entries(ann).isEmpty)
        }
    }

    @Test func anAdjustmentIsIdempotentByKey() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let first = try await adjust(stack, ann, 75, key: "adj-1")
            stack.advance(days: 1)
            let again = try await adjust(stack, ann, 75, key: "adj-1")
            #expect(again == first)
            let other = await caught { _ = try await adjust(stack, ann, 76, key: "adj-1") }
            #expect(other.isConflict)
            #expect(try await stack.checkBalance(ann) == 75)
        }
    }

    @Test func anAdjustmentForAnUnknownCustomerIsNotFound() async throws {
        try await withStack { stack in
            let error = await caught { _ = try await adjust(stack, "cus_nobody", 10) }
            #expect(error.isNotFound)
        }
    }
}
