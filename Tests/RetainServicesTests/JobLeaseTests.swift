import Foundation
import RetainCore
import RetainServices
import Testing

@Suite struct JobLeaseTests {
    @Test func oneHolderAtATimeUntilTheLeaseRunsOut() async throws {
        try await withStack { stack throws in
            func take(_ holder: String) async throws -> Bool {
                try await stack.service.takeJobLease(
                    program: stack.program, job: "expiry", holder: holder, for: 2 * TestStack.day)
            }
            #expect(try await take("a"))
            #expect(try await !take("b"))
            stack.advance(days: 1.5)
            #expect(try await take("a"), "the holder renews its own lease")
            stack.advance(days: 1.5)
            #expect(try await !take("b"), "renewed 1.5 days ago for 2 days: still a's")
            stack.advance(days: 0.6)
            #expect(try await take("b"), "a stopped renewing: b takes over")
            #expect(try await !take("a"))
            // Another job, and the same job of another program, are leased separately.
            #expect(
                try await stack.service.takeJobLease(program: stack.program, job: "other", holder: "a", for: 60))
        }
    }

    @Test func ofManyProcessesAskingAtOnceExactlyOneGetsTheLease() async throws {
        try await withStack { stack in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for holder in 0..<12 {
                    group.addTask {
                        try await stack.service.takeJobLease(
                            program: stack.program, job: "expiry", holder: "p\(holder)", for: 600)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
        }
    }
}
