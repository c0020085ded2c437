import Foundation

/// A progress line on standard error with rate and time left: redrawn in place on a terminal, printed every few
/// seconds otherwise (logs, CI), silent with `--quiet`.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let quiet: Bool
    private let interactive: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let lock = NSLock()

    init(label: String, quiet: Bool) {
        self.label = label
        self.quiet = quiet
        self.interactive = isatty(STDERR_FILENO) != 0
    }

    func update(done: Int, total: Int) {
        guard !quiet else { return }
        lock.withLock {
            let now = Date()
            let finished = done >= total
            guard finished || now.timeIntervalSince(lastPrint) >= (interactive ? 0.1 : 2) else { return }
            lastPrint = now
            let elapsed = max(now.timeIntervalSince(start), 0.001)
            let rate = Double(done) / elapsed
            let fraction = total == 0 ? 1 : Double(done) / Double(total)
            let width = 28
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let eta = rate > 0 ? Double(total - done) / rate : 0
            let text = String(
                format: "%@ %@ %3.0f%% %d/%d  %.0f/s  %@", label, bar, fraction * 100, done, total, rate,
                finished ? String(format: "done in %.1fs", elapsed) : String(format: "ETA %.0fs", eta))
            FileHandle.standardError.write(
                Data(((interactive ? "\r" : "") + text + (interactive && !finished ? "" : "\n")).utf8))
        }
    }
}
