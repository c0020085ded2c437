import Dispatch
import NIOCore
import NIOPosix

/// The process's event loops, handed out in turn, for the PostgreSQL pool to open its connections on.
///
/// `PostgresClient` opens each connection on `group.any()`, which for NIO's own group is the loop of the caller:
/// every connection of the pool ended up on one loop. Swift tasks run on the loop that resumes them (the process
/// runs Swift concurrency on NIO's loops), so all the order batches' work ran on one thread — measured under
/// `wrk`: one loop 61–64% of a core, the other 13%. With the connections spread, 40–44% and 37–39%, and 8–18% more
/// orders per second in four alternated pairs of runs.
final class SpreadEventLoops: EventLoopGroup, Sendable {
    private let loops: MultiThreadedEventLoopGroup

    init(_ loops: MultiThreadedEventLoopGroup = .singleton) { self.loops = loops }

    func next() -> any EventLoop { loops.next() }
    func any() -> any EventLoop { loops.next() }
    func makeIterator() -> EventLoopIterator { loops.makeIterator() }

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        loops.shutdownGracefully(queue: queue, callback)
    }
}
