import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct ConcurrencyTests {
    enum Outcome: Sendable {
        case accepted(Int64)
        case refused(String)
        case failed(String)
    }

    @Test func fiftyConcurrentRedemptionsNeverSpendMoreThanTheBalance() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(1_000, to: ann)
            #expect(try await stack.wallet(ann).available == 1_000)

            let service = stack.service
            let program = stack.program
            let outcomes = await withTaskGroup(of: Outcome.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        do {
                            let result = try await service.redeem(
                                program: program, customerID: ann, RedemptionRequest(points: 100),
                                idempotencyKey: "race-\(index)")
                            return .accepted(result.points)
                        } catch DomainError.refused(let code, _) {
                            return .refused(code)
                        } catch {
                            return .failed("\(error)")
                        }
                    }
                }
                var all: [Outcome] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let accepted = outcomes.compactMap { if case .accepted(let points) = $0 { points } else { nil } }
            let refusals = outcomes.compactMap { if case .refused(let code) = $0 { code } else { nil } }
            let failures = outcomes.compactMap { if case .failed(let text) = $0 { text } else { nil } }
            #expect(failures.isEmpty, "\(failures)")
            #expect(accepted.reduce(0, +) <= 1_000)
            #expect(accepted.count == 10)
            #expect(refusals.count == 40 && refusals.allSatisfy { $0 == "insufficient_points" })
            #expect(try await stack.checkBalance(ann) == 0)
            let redeemEntries = try await stack.entries(ann).filter { $0.kind == .redeem }
            #expect(redeemEntries.count == 10 && redeemEntries.allSatisfy { $0.points == -100 })
        }
    }

    @Test func retriesOfOneRedemptionRacingEachOtherHaveOneEffect() async throws {
        try await withStack { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            try await stack.grant(1_000, to: ann)
            let service = stack.service
            let program = stack.program
            let results = try await withThrowingTaskGroup(of: RedemptionResult.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await service.redeem(
                            program: program, customerID: ann, RedemptionRequest(points: 100),
                            idempotencyKey: "same-key")
                    }
                }
                var all: [RedemptionResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 20)
            #expect(Set(results.map(\.redemptionID)).count == 1)
            #expect(try await stack.checkBalance(ann) == 900)
        }
    }

    @Test func twentyConcurrentSubmissionsOfTheSameOrderAwardOnce() async throws {
        let signup = EarningRule(id: "welcome", name: "welcome", kind: .signupBonus, points: 50)
        try await withStack(rules: [onePerEuro, signup]) { stack in
            let input = stack.order("o-1", CustomerReference(email: "new@example.com"), total: 25_000)
            let service = stack.service
            let program = stack.program
            let results = try await withThrowingTaskGroup(of: OrderResult.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await service.recordOrder(program: program, input) }
                }
                var all: [OrderResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 20)
            #expect(results.allSatisfy { $0 == results[0] })
            #expect(results.filter(\.customerCreated).count == 20)  // every retry replays the first answer
            let customerID = try #require(results[0].customerID)
            let customers = try await stack.service.listCustomers(program: program, query: CustomerQuery())
            #expect(customers.map(\.id) == [customerID])
            let entries = try await stack.entries(customerID)
            #expect(entries.filter { $0.sourceType == .order }.map(\.points) == [250])
            #expect(entries.filter { $0.sourceType == .signup }.count == 1)
            #expect(try await stack.checkBalance(customerID) == 300)
        }
    }

    @Test func concurrentOrdersForOneCustomerAllCount() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let service = stack.service
            let program = stack.program
            let orders = (0..<30).map { stack.order("o-\($0)", CustomerReference(customerID: ann), total: 1_000) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for order in orders {
                    group.addTask { _ = try await service.recordOrder(program: program, order) }
                }
                try await group.waitForAll()
            }
            #expect(try await stack.checkBalance(ann) == 300)
            #expect(try await stack.entries(ann).count == 30)
        }
    }

    @Test func concurrentOrdersFromOneNewCustomerCreateThemOnce() async throws {
        let signup = EarningRule(id: "welcome", name: "welcome", kind: .signupBonus, points: 50)
        try await withStack(rules: [onePerEuro, signup]) { stack in
            let service = stack.service
            let program = stack.program
            let orders = (0..<12).map {
                stack.order("o-\($0)", CustomerReference(email: "new@example.com"), total: 1_000)
            }
            let results = try await withThrowingTaskGroup(of: OrderResult.self) { group in
                for order in orders { group.addTask { try await service.recordOrder(program: program, order) } }
                var all: [OrderResult] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(Set(results.compactMap(\.customerID)).count == 1)
            #expect(results.filter(\.customerCreated).count == 1)
            let customerID = try #require(results.first?.customerID)
            let customers = try await service.listCustomers(program: program, query: CustomerQuery())
            #expect(customers.map(\.id) == [customerID])
            #expect(try await stack.checkBalance(customerID) == 50 + 12 * 10)
        }
    }

    @Test func concurrentOrdersReusingAnOrderIDForAnotherBodyAreConflicts() async throws {
        try await withStack(rules: [onePerEuro]) { stack in
            let ann = try await stack.customer(email: "ann@example.com")
            let service = stack.service
            let program = stack.program
            let bodies = (1...10).map {
                stack.order("same-id", CustomerReference(customerID: ann), total: Int64($0) * 1_000)
            }
            let outcomes = await withTaskGroup(of: Result<OrderResult, DomainError>.self) { group in
                for body in bodies {
                    group.addTask {
                        do { return .success(try await service.recordOrder(program: program, body)) } catch let error
                            as DomainError
                        {
                            return .failure(error)
                        } catch { return .failure(.conflict("unexpected \(error)")) }
                    }
                }
                var all: [Result<OrderResult, DomainError>] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let accepted = outcomes.compactMap { try? $0.get() }
            let conflicts = outcomes.compactMap { if case .failure(.conflict(let detail)) = $0 { detail } else { nil } }
            #expect(accepted.count == 1 && conflicts.count == 9)
            #expect(!conflicts.contains { $0.hasPrefix("unexpected") })
            let earned = try #require(accepted.first?.pointsEarned)
            #expect(try await stack.checkBalance(ann) == earned)
            #expect(try await stack.entries(ann).count == 1)
        }
    }
}
