import Foundation
import RealModule

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, summed as its power series — the only case the
/// BG/NBD expectations need (z = t / (α + T + t)).
enum Hypergeometric {
    /// The most terms summed before giving up; at z = 0.999 the series needs about 40,000.
    static let maximumTerms = 200_000

    /// ₂F₁(a, b; c; z) − 1 = Σ_{k≥1} (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ, returned without the leading 1 so that callers can
    /// take `log(onePlus:)` of it without losing digits when the sum is small.
    ///
    /// The sum stops when a term no longer changes it (relative 1e-17) while terms are shrinking, or after
    /// `maximumTerms`; `converged` says which. Terms shrink like zᵏ once k exceeds |a|, |b| and |c|.
    /// - Parameters:
    ///   - a: first numerator parameter.
    ///   - b: second numerator parameter.
    ///   - c: denominator parameter, not 0 or a negative integer.
    ///   - z: the argument, 0 ≤ z < 1.
    static func seriesMinusOne(a: Double, b: Double, c: Double, z: Double) -> (sum: Double, converged: Bool) {
        guard z > 0 else { return (0, true) }
        var term = 1.0
        var sum = 0.0
        var k = 0.0
        for _ in 0..<maximumTerms {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
            sum += term
            k += 1
            if term == 0 { return (sum, true) }
            let shrinking = abs((a + k) * (b + k) / ((c + k) * (k + 1))) * z < 1
            if shrinking && abs(term) <= 1e-17 * abs(sum) { return (sum, true) }
        }
        return (sum, false)
    }

    /// ₂F₁(a, b; c; zⱼ) − 1 for several arguments at once: the coefficients (a)ₖ(b)ₖ/((c)ₖ k!) are computed once and
    /// shared, which makes a dozen arguments cost little more than one. Stops, like `seriesMinusOne(a:b:c:z:)`, when
    /// no sum changes any more (or after `maximumTerms`).
    /// - Parameters:
    ///   - a: first numerator parameter.
    ///   - b: second numerator parameter.
    ///   - c: denominator parameter, not 0 or a negative integer.
    ///   - zs: the arguments, each 0 ≤ z < 1.
    static func seriesMinusOne(a: Double, b: Double, c: Double, z zs: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: zs.count)
        var powers = [Double](repeating: 1, count: zs.count)
        let largest = zs.max() ?? 0
        var coefficient = 1.0
        var k = 0.0
        for _ in 0..<maximumTerms {
            coefficient *= (a + k) * (b + k) / ((c + k) * (k + 1))
            k += 1
            var changed = false
            for j in zs.indices {
                powers[j] *= zs[j]
                let term = coefficient * powers[j]
                sums[j] += term
                changed = changed || abs(term) > 1e-17 * abs(sums[j])
            }
            if coefficient == 0 { break }
            let shrinking = abs((a + k) * (b + k) / ((c + k) * (k + 1))) * largest < 1
            if shrinking && !changed { break }
        }
        return sums
    }

    /// ₂F₁(a, b; c; z) for 0 ≤ z < 1 (NaN if the series did not converge).
    /// - Parameters:
    ///   - a: first numerator parameter.
    ///   - b: second numerator parameter.
    ///   - c: denominator parameter, not 0 or a negative integer.
    ///   - z: the argument, 0 ≤ z < 1.
    static func value(a: Double, b: Double, c: Double, z: Double) -> Double {
        let (sum, converged) = seriesMinusOne(a: a, b: b, c: c, z: z)
        return converged ? 1 + sum : .nan
    }
}

/// Digamma ψ and trigamma ψ′ for positive arguments, for the analytic gradients and Hessians of the likelihoods
/// (swift-numerics has `logGamma` but not its derivatives).
enum Polygamma {
    /// ψ(x) = d/dx ln Γ(x), x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic series
    /// (Abramowitz & Stegun 6.3.18) to the x⁻¹⁴ term, accurate to about 1e-16 relative.
    static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let inverse = 1 / x
        let inverse2 = inverse * inverse
        let tail =
            inverse2
            * (1.0 / 12
                - inverse2
                * (1.0 / 120
                    - inverse2
                    * (1.0 / 252
                        - inverse2 * (1.0 / 240 - inverse2 * (1.0 / 132 - inverse2 * (691.0 / 32760 - inverse2 / 12))))))
        return result + Double.log(x) - 0.5 * inverse - tail
    }

    /// ψ′(x) = d²/dx² ln Γ(x), x > 0: the recurrence ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10, then the asymptotic
    /// series (Abramowitz & Stegun 6.4.12) to the x⁻¹⁵ term.
    static func trigamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 10 {
            result += 1 / (x * x)
            x += 1
        }
        let inverse = 1 / x
        let inverse2 = inverse * inverse
        let tail =
            inverse * inverse2
            * (1.0 / 6
                - inverse2
                * (1.0 / 30
                    - inverse2
                    * (1.0 / 42
                        - inverse2 * (1.0 / 30 - inverse2 * (5.0 / 66 - inverse2 * (691.0 / 2730 - inverse2 * 7 / 6))))))
        return result + inverse + 0.5 * inverse2 + tail
    }
}
