import Foundation

/// With `RETAIN_TIMINGS=1`, prints how long each phase of a command took to standard error (for benchmarks).
final class PhaseTimer {
    private var last = Date()
    private let enabled = ProcessInfo.processInfo.environment["RETAIN_TIMINGS"] == "1"

    func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        FileHandle.standardError.write(
            Data(String(format: "timing: %@ %.3f s\n", phase, now.timeIntervalSince(last)).utf8))
        last = now
    }
}
