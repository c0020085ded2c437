import Dispatch

/// Pure work of many milliseconds run on a Dispatch thread, not on the executor's: the executor's threads (SwiftNIO's
/// event loops in `retain`) then stay free for the tasks that wait on them, and the system shares the cores between
/// the work and those tasks.
public enum Offloaded {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
