import Dispatch
import Foundation

/// Maximum-likelihood machinery shared by the models: a BFGS minimiser of a negative log-likelihood in
/// log-parameters (so every parameter stays positive), its line search, and standard errors from the Hessian.
enum MaximumLikelihood {
    /// A value and its gradient; `value` is +∞ or NaN where the objective is not defined.
    typealias Objective = ([Double]) -> (value: Double, gradient: [Double])

    /// Where the minimiser stopped.
    struct Result {
        var point: [Double]
        var value: Double
        var gradient: [Double]
        var iterations: Int
        var evaluations: Int
        var converged: Bool
    }

    /// Minimises `objective` with BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 6.1) and a
    /// line search for the strong Wolfe conditions (Algorithms 3.5 and 3.6).
    /// - Parameters:
    ///   - start: the first point (log-parameters).
    ///   - inverseHessian: an initial inverse Hessian (e.g. from the exact Hessian at `start`); without it the
    ///     first step is a short gradient step and the identity is rescaled after it (Nocedal & Wright eq. 6.20).
    ///   - gradientTolerance: stop when every gradient component is at most this.
    ///   - maximumIterations: give up (with `converged == false`) after this many iterations.
    ///   - maximumStep: the largest change of any log-parameter in one iteration, so that a poor early step
    ///     cannot overflow exp().
    ///   - objective: the function to minimise, with its gradient.
    static func minimize(
        start: [Double], inverseHessian: [[Double]]? = nil, gradientTolerance: Double = 1e-9,
        maximumIterations: Int = 500, maximumStep: Double = 3, objective: Objective
    ) -> Result {
        let n = start.count
        var point = start
        var (value, gradient) = objective(point)
        var evaluations = 1
        var inverse = inverseHessian ?? identity(n)
        var scaled = inverseHessian != nil
        var iteration = 0
        var stalled = 0
        while iteration < maximumIterations {
            guard value.isFinite, gradient.allSatisfy(\.isFinite) else { break }
            if gradient.map(abs).max() ?? 0 <= gradientTolerance {
                return Result(
                    point: point, value: value, gradient: gradient, iterations: iteration, evaluations: evaluations,
                    converged: true)
            }
            iteration += 1
            var direction = multiply(inverse, gradient).map { -$0 }
            if dot(direction, gradient) >= 0 {  // not a descent direction: forget the curvature learned so far
                inverse = identity(n)
                scaled = false
                direction = gradient.map { -$0 }
            }
            let longest = direction.map(abs).max() ?? 0
            let firstStep: Double
            if !scaled {
                firstStep = 1 / max(longest, 1)  // a first gradient step moves at most 1
            } else {
                firstStep = longest > maximumStep ? maximumStep / longest : 1
            }
            guard
                let accepted = lineSearch(
                    point: point, value: value, gradient: gradient, direction: direction, firstStep: firstStep,
                    evaluations: &evaluations, objective: objective)
            else { break }
            let step = (0..<n).map { accepted.point[$0] - point[$0] }
            let change = (0..<n).map { accepted.gradient[$0] - gradient[$0] }
            let curvature = dot(step, change)
            stalled = abs(accepted.value - value) <= 1e-13 * max(1, abs(value)) ? stalled + 1 : 0
            point = accepted.point
            value = accepted.value
            gradient = accepted.gradient
            if stalled >= 3 { break }  // only rounding noise is left to gain
            guard curvature > 1e-300 else { continue }  // keep the old approximation rather than break it
            if !scaled {
                let scale = curvature / dot(change, change)
                inverse = identity(n).map { $0.map { $0 * scale } }
                scaled = true
            }
            inverse = bfgsUpdate(inverse, step: step, change: change, curvature: curvature)
        }
        // Stuck (no acceptable step) but already as flat as scipy's BFGS default asks (gtol 1e-7 relative): accept.
        let flat = gradient.map(abs).max() ?? 0 <= max(gradientTolerance, 1e-7 * max(1, abs(value)))
        return Result(
            point: point, value: value, gradient: gradient, iterations: iteration, evaluations: evaluations,
            converged: value.isFinite && flat)
    }

    /// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / yᵀs (Nocedal & Wright eq. 6.17).
    private static func bfgsUpdate(_ h: [[Double]], step s: [Double], change y: [Double], curvature: Double)
        -> [[Double]]
    {
        let n = s.count
        let rho = 1 / curvature
        let hy = multiply(h, y)
        let yhy = dot(y, hy)
        var next = h
        for i in 0..<n {
            for j in 0..<n {
                next[i][j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
            }
        }
        return next
    }

    private struct Point {
        var point: [Double]
        var value: Double
        var gradient: [Double]
    }

    /// A step length satisfying the strong Wolfe conditions (c₁ = 1e-4, c₂ = 0.9), or nil if none was found.
    /// Non-finite values count as "too far": the step is cut back.
    private static func lineSearch(
        point: [Double], value: Double, gradient: [Double], direction: [Double], firstStep: Double,
        evaluations: inout Int, objective: Objective
    ) -> Point? {
        let c1 = 1e-4
        let c2 = 0.9
        let slope0 = dot(gradient, direction)
        func at(_ step: Double) -> (Point, slope: Double) {
            let trial = zip(point, direction).map { $0 + step * $1 }
            let (v, g) = objective(trial)
            evaluations += 1
            return (Point(point: trial, value: v, gradient: g), dot(g, direction))
        }
        func usable(_ p: Point) -> Bool { p.value.isFinite && p.gradient.allSatisfy(\.isFinite) }
        var low = (step: 0.0, value: value, slope: slope0)
        var high: (step: Double, value: Double, slope: Double)? = nil
        var step = firstStep
        var best: Point? = nil
        // Near the minimum the decrease falls below the rounding of the value; a step that keeps the value within
        // that noise and satisfies the curvature condition is then accepted (Hager & Zhang's approximate Wolfe).
        let noise = 1e-13 * max(1, abs(value))
        for _ in 0..<60 {
            let (trial, slope) = at(step)
            if usable(trial) && trial.value <= value + noise && abs(slope) <= -c2 * slope0 { return trial }
            if !usable(trial) || trial.value > value + c1 * step * slope0 || trial.value >= low.value {
                high = (step, usable(trial) ? trial.value : .infinity, usable(trial) ? slope : .nan)
            } else {
                if abs(slope) <= -c2 * slope0 { return trial }
                best = trial
                if slope * ((high?.step ?? .infinity) - step) >= 0 { high = (low.step, low.value, low.slope) }
                low = (step, trial.value, slope)
            }
            if let high {
                step = interpolate(low: low, high: high)
            } else {
                step *= 2
            }
            if abs(step - low.step) <= 1e-16 * max(1, abs(low.step)) { break }
        }
        return best
    }

    /// The minimiser of the quadratic through (low value, low slope, high value), kept inside the middle 80 % of
    /// the bracket; bisection when the high end is not usable.
    private static func interpolate(
        low: (step: Double, value: Double, slope: Double), high: (step: Double, value: Double, slope: Double)
    ) -> Double {
        let width = high.step - low.step
        var step = low.step + 0.5 * width
        if high.value.isFinite {
            let curvature = high.value - low.value - low.slope * width
            if curvature > 0 { step = low.step - low.slope * width * width / (2 * curvature) }
        }
        let lower = low.step + 0.1 * width
        let upper = low.step + 0.9 * width
        return width > 0 ? min(max(step, lower), upper) : max(min(step, lower), upper)
    }

    /// Standard errors of the natural parameters θ = exp(φ) from the Hessian of the negative log-likelihood in
    /// log-parameters φ at the maximum: Var(φ) = H⁻¹, and by the delta method SE(θᵢ) = θᵢ √(H⁻¹)ᵢᵢ.
    /// Nil when the Hessian is not positive definite (the maximum is not a proper one).
    static func standardErrors(logHessian: [[Double]], parameters: [Double]) -> [Double]? {
        guard let inverse = inverseOfPositiveDefinite(logHessian) else { return nil }
        return parameters.indices.map { parameters[$0] * inverse[$0][$0].squareRoot() }
    }

    /// The Hessian with respect to log-parameters from the one in natural parameters:
    /// ∂²f/∂φᵢ∂φⱼ = θᵢθⱼ ∂²f/∂θᵢ∂θⱼ + δᵢⱼ θᵢ ∂f/∂θᵢ.
    static func logHessian(natural h: [[Double]], gradient g: [Double], parameters p: [Double]) -> [[Double]] {
        p.indices.map { i in p.indices.map { j in p[i] * p[j] * h[i][j] + (i == j ? p[i] * g[i] : 0) } }
    }

    /// A Hessian by central differences of an analytic gradient, symmetrised (for checks and as a fallback).
    static func finiteDifferenceHessian(at point: [Double], step: Double = 1e-5, objective: Objective) -> [[Double]] {
        let n = point.count
        var h = identity(n)
        for j in 0..<n {
            var up = point
            var down = point
            up[j] += step
            down[j] -= step
            let gUp = objective(up).gradient
            let gDown = objective(down).gradient
            for i in 0..<n { h[i][j] = (gUp[i] - gDown[i]) / (2 * step) }
        }
        return (0..<n).map { i in (0..<n).map { j in 0.5 * (h[i][j] + h[j][i]) } }
    }

    /// The inverse of a symmetric positive-definite matrix by Cholesky factorisation, or nil if it is not.
    static func inverseOfPositiveDefinite(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        var l = Array(repeating: Array(repeating: 0.0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i][i] = sum.squareRoot()
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        var inverse = identity(n)
        for column in 0..<n {  // solve L Lᵀ x = e_column
            var y = Array(repeating: 0.0, count: n)
            for i in 0..<n {
                var sum = column == i ? 1.0 : 0
                for k in 0..<i { sum -= l[i][k] * y[k] }
                y[i] = sum / l[i][i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = y[i]
                for k in (i + 1)..<n { sum -= l[k][i] * inverse[k][column] }
                inverse[i][column] = sum / l[i][i]
            }
        }
        return inverse
    }

    static func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { i == $0 ? 1.0 : 0 } }
    }

    static func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] { m.map { dot($0, v) } }

    static func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Splits 0..<count into at most 16 chunks of at least `minimumChunk` and runs `body` on each, on all cores;
    /// the chunking depends only on `count`, so sums combined in chunk order are the same on every machine.
    static func chunked<Part>(count: Int, minimumChunk: Int = 32_768, _ body: @Sendable (Range<Int>) -> Part) -> [Part]
    {
        let chunks = max(1, min(16, count / minimumChunk))
        guard chunks > 1 else { return [body(0..<count)] }
        // Each chunk writes only its own slot, and concurrentPerform returns after all of them.
        nonisolated(unsafe) let parts = UnsafeMutableBufferPointer<Part?>.allocate(capacity: chunks)
        parts.initialize(repeating: nil)
        defer { parts.deinitialize().deallocate() }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            parts[chunk] = body(count * chunk / chunks..<count * (chunk + 1) / chunks)
        }
        return parts.map { $0! }
    }
}
