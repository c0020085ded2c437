import NIOCore
import NIOPosix
@testable import RetainStore
import Testing

/// The PostgreSQL pool opens its connections on `SpreadEventLoops.any()`: asked from inside one of the loops, it
/// still hands out every loop in turn (NIO's own `any()` answers the asking loop, which put the whole pool on one).
@Suite struct SpreadEventLoopsTests {
    @Test func askedFromInsideALoopItHandsOutEveryLoopInTurn() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let spread = SpreadEventLoops(group)
        let asker = group.next()
        let (mine, theirs) = try await asker.submit {
            (
                (0..<6).map { _ in ObjectIdentifier(group.any()) },
                (0..<6).map { _ in ObjectIdentifier(spread.any()) }
            )
        }.get()
        #expect(Set(mine) == [ObjectIdentifier(asker)], "NIO's any() is sticky, which is why the pool needs this")
        #expect(Set(theirs).count == 3)
        #expect(Set(theirs.prefix(3)).count == 3, "consecutive connections go to different loops")
        try await group.shutdownGracefully()
    }
}
