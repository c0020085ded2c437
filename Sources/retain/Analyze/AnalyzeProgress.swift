import Foundation
import RetainAnalytics

/// The progress line of `retain analyze` on standard error: the reading fraction, then each phase by name.
/// Silent with `--quiet`; on a non-terminal each phase is one line.
final class AnalyzeProgress: @unchecked Sendable {
    private let quiet: Bool
    private let interactive = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var current = ""
    private var phaseStart = Date()
    /// Seconds per finished phase, in order (`--timings`).
    private(set) var durations: [(String, Double)] = []
    private let lock = NSLock()

    init(quiet: Bool) { self.quiet = quiet }

    func phase(_ name: String) {
        lock.withLock {
            if !current.isEmpty { durations.append((current, Date().timeIntervalSince(phaseStart))) }
            phaseStart = Date()
            current = name
            draw(String(format: "%@ (%.1fs)", name, Date().timeIntervalSince(start)), final: false)
        }
    }

    func fraction(_ value: Double) {
        lock.withLock {
            guard interactive, Date().timeIntervalSince(lastDraw) > 0.1 || value >= 1 else { return }
            lastDraw = Date()
            draw(String(format: "%@ %3.0f%%", current, value * 100), final: false, force: true)
        }
    }

    /// How far a phase of unknown length got: "reading orders 150,000".
    func count(_ value: Int, of unit: String) {
        lock.withLock {
            guard interactive, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            draw("\(current) \(Format.count(value)) \(unit)", final: false, force: true)
        }
    }

    func finish(seconds: Double, timings: Bool) {
        lock.withLock {
            if !current.isEmpty { durations.append((current, Date().timeIntervalSince(phaseStart))) }
            current = ""
            draw(String(format: "analysed in %.1fs", seconds), final: true)
            if timings {
                for (name, duration) in durations {
                    FileHandle.standardError.write(Data(String(format: "%@: %.3fs\n", name, duration).utf8))
                }
            }
        }
    }

    private func draw(_ text: String, final: Bool, force: Bool = false) {
        guard !quiet, interactive || !force else { return }
        let line = interactive ? "\r\u{1B}[2K" + text + (final ? "\n" : "") : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
