import Foundation
import RealModule

extension BGNBDLikelihood {
    /// Per-chunk sums of the terms that vary by customer (x > 0), combined in chunk order.
    struct Sums {
        // value and gradient
        var value = 0.0, r = 0.0, alpha = 0.0, weight = 0.0, weightOverB = 0.0
        // Hessian
        var rr = 0.0, rAlpha = 0.0, rWeighted = 0.0, rWeightedOverB = 0.0, alphaAlpha = 0.0
        var alphaWeighted = 0.0, alphaWeightedOverB = 0.0, curvature = 0.0, curvatureOverB = 0.0, overB2 = 0.0

        static func + (l: Sums, r: Sums) -> Sums {
            Sums(
                value: l.value + r.value, r: l.r + r.r, alpha: l.alpha + r.alpha, weight: l.weight + r.weight,
                weightOverB: l.weightOverB + r.weightOverB, rr: l.rr + r.rr, rAlpha: l.rAlpha + r.rAlpha,
                rWeighted: l.rWeighted + r.rWeighted, rWeightedOverB: l.rWeightedOverB + r.rWeightedOverB,
                alphaAlpha: l.alphaAlpha + r.alphaAlpha, alphaWeighted: l.alphaWeighted + r.alphaWeighted,
                alphaWeightedOverB: l.alphaWeightedOverB + r.alphaWeightedOverB, curvature: l.curvature + r.curvature,
                curvatureOverB: l.curvatureOverB + r.curvatureOverB, overB2: l.overB2 + r.overB2)
        }
    }

    /// ln(α + τ) and 1/(α + τ) for the table of distinct times, or nil when each customer has their own.
    private func table(_ times: Times, alpha: Double) -> (logs: [Double], inverses: [Double])? {
        guard case .indexed(let values, _) = times else { return nil }
        return (values.map { Foundation.log(alpha + $0) }, values.map { 1 / (alpha + $0) })
    }

    /// The mean negative log-likelihood at log-parameters φ, its gradient in φ and, when asked, its Hessian in φ.
    func objective(_ logParameters: [Double], hessian: Bool) -> (
        value: Double, gradient: [Double], logHessian: [[Double]]?
    ) {
        let p = logParameters.map { Double.exp($0) }
        let n = Double(customers)
        let evaluation = evaluate(r: p[0], alpha: p[1], a: p[2], b: p[3], hessian: hessian)
        let gradient = evaluation.gradient.map { -$0 / n }
        let logHessian = evaluation.hessian.map {
            MaximumLikelihood.logHessian(natural: $0.map { $0.map { -$0 / n } }, gradient: gradient, parameters: p)
        }
        return (-evaluation.value / n, zip(p, gradient).map { $0 * $1 }, logHessian)
    }

    /// The total log-likelihood at (r, α, a, b), its gradient, and when asked its Hessian (natural parameters).
    func evaluate(r: Double, alpha: Double, a: Double, b: Double, hessian: Bool) -> Evaluation {
        let n = Double(customers)
        // r ln α for every customer; then, once per distinct x, G(x) and c = ln a − ln(b + x − 1).
        var value = n * r * Foundation.log(alpha)
        var g = [n * Foundation.log(alpha), n * r / alpha, 0, 0]
        var h = [[0.0, n / alpha, 0, 0], [n / alpha, -n * r / (alpha * alpha), 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
        let logA = Foundation.log(a)
        let shift = counts.map { logA - Foundation.log(b + $0 - 1) }
        let overB = counts.map { 1 / (b + $0 - 1) }
        let (psiR, psiB, psiAB) = (Polygamma.digamma(r), Polygamma.digamma(b), Polygamma.digamma(a + b))
        let (triR, triB, triAB) = (Polygamma.trigamma(r), Polygamma.trigamma(b), Polygamma.trigamma(a + b))
        let logGammas = Double.logGamma(a + b) - Double.logGamma(b) - Double.logGamma(r)
        for (k, x) in counts.enumerated() {
            let weight = customersWithCount[k]
            value +=
                weight
                * (Double.logGamma(r + x) + Double.logGamma(b + x) - Double.logGamma(a + b + x) + logGammas)
            let psiABX = Polygamma.digamma(a + b + x)
            g[0] += weight * (Polygamma.digamma(r + x) - psiR)
            g[2] += weight * (psiAB - psiABX)
            g[3] += weight * (psiAB + Polygamma.digamma(b + x) - psiB - psiABX)
            guard hessian else { continue }
            let triABX = Polygamma.trigamma(a + b + x)
            h[0][0] += weight * (Polygamma.trigamma(r + x) - triR)
            h[2][2] += weight * (triAB - triABX)
            h[2][3] += weight * (triAB - triABX)
            h[3][3] += weight * (triAB + Polygamma.trigamma(b + x) - triB - triABX)
        }
        // Customers with repeat purchases.
        let ageTable = table(repeatAges, alpha: alpha)
        let recencyTable = table(repeatRecencies, alpha: alpha)
        let sums = MaximumLikelihood.chunked(count: group.count) { range in
            repeatSums(
                range, r: r, alpha: alpha, shift: shift, overB: overB, ageTable: ageTable, recencyTable: recencyTable,
                hessian: hessian)
        }.reduce(Sums(), +)
        value += sums.value
        g[0] += sums.r
        g[1] += sums.alpha
        g[2] += sums.weight / a
        g[3] -= sums.weightOverB
        // Customers without: r ln(α/(α + T)), of which r ln α is counted above.
        let zero = zeroSums(alpha: alpha)
        value -= r * zero.logs
        g[0] -= zero.logs
        g[1] -= r * zero.inverses
        guard hessian else { return Evaluation(value: value, gradient: g, hessian: nil) }
        h[0][0] += sums.rr
        h[0][1] += sums.rAlpha - zero.inverses
        h[0][2] += sums.rWeighted / a
        h[0][3] -= sums.rWeightedOverB
        h[1][1] += sums.alphaAlpha + r * zero.squares
        h[1][2] += sums.alphaWeighted / a
        h[1][3] -= sums.alphaWeightedOverB
        h[2][2] += (sums.curvature - sums.weight) / (a * a)
        h[2][3] -= sums.curvatureOverB / a
        h[3][3] += sums.overB2
        for i in 0..<4 { for j in 0..<i { h[i][j] = h[j][i] } }
        return Evaluation(value: value, gradient: g, hessian: h)
    }

    /// Σ ln(α + T), Σ 1/(α + T) and Σ 1/(α + T)² over the customers without repeat purchases.
    private func zeroSums(alpha: Double) -> (logs: Double, inverses: Double, squares: Double) {
        let parts = MaximumLikelihood.chunked(count: zeroAges.count) { range in
            var sums = (logs: 0.0, inverses: 0.0, squares: 0.0)
            for i in range {
                let weight = zeroWeights?[i] ?? 1
                let inverse = 1 / (alpha + zeroAges[i])
                sums.logs += weight * Foundation.log(alpha + zeroAges[i])
                sums.inverses += weight * inverse
                sums.squares += weight * inverse * inverse
            }
            return sums
        }
        return parts.reduce((0, 0, 0)) { ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2) }
    }

    /// The sums over repeat buyers in `range`. Per customer, with D = ln(α + T) − ln(α + t_x), d = c + (r + x) D,
    /// s = σ(d) and w = s(1 − s): LL gets −(r + x) ln(α + T) + softplus(d), and each derivative of the softplus is
    /// s·∂d plus, for the Hessian, w·∂d∂d′. Works in blocks whose ln(α + τ), 1/(α + τ) are gathered first, so the
    /// inner loop does not branch on how the times are stored.
    private func repeatSums(
        _ range: Range<Int>, r: Double, alpha: Double, shift: [Double], overB: [Double],
        ageTable: (logs: [Double], inverses: [Double])?, recencyTable: (logs: [Double], inverses: [Double])?,
        hessian: Bool
    ) -> Sums {
        var sums = Sums()
        let block = 512
        var logAges = [Double](repeating: 0, count: block)
        var inverseAges = logAges
        var logRecencies = logAges
        var inverseRecencies = logAges
        for start in stride(from: range.lowerBound, to: range.upperBound, by: block) {
            let rows = start..<min(start + block, range.upperBound)
            Self.gather(repeatAges, table: ageTable, alpha: alpha, rows: rows, logs: &logAges, inverses: &inverseAges)
            Self.gather(
                repeatRecencies, table: recencyTable, alpha: alpha, rows: rows, logs: &logRecencies,
                inverses: &inverseRecencies)
            for (j, i) in rows.enumerated() {
                let k = Int(group[i])
                let rx = r + counts[k]
                let (logAge, inverseAge) = (logAges[j], inverseAges[j])
                let spread = logAge - logRecencies[j]
                let d = shift[k] + rx * spread
                let e = Foundation.exp(-abs(d))
                let s = d >= 0 ? 1 / (1 + e) : e / (1 + e)
                // ln(1 + e) rather than log1p: e ≤ 1, so the absolute error stays below 1.2e-16, and glibc's log is
                // several times faster than its log1p on (0, 1].
                sums.value += max(d, 0) + Foundation.log(1 + e) - rx * logAge
                sums.r += s * spread - logAge
                let inverseSpread = inverseAge - inverseRecencies[j]
                let dAlpha = rx * inverseSpread
                sums.alpha += s * dAlpha - rx * inverseAge
                sums.weight += s
                sums.weightOverB += s * overB[k]
                guard hessian else { continue }
                let w = e / ((1 + e) * (1 + e))
                let inverseRecency = inverseRecencies[j]
                sums.rr += w * spread * spread
                sums.rAlpha += s * inverseSpread - inverseAge + w * spread * dAlpha
                sums.rWeighted += w * spread
                sums.rWeightedOverB += w * spread * overB[k]
                sums.alphaAlpha +=
                    rx * inverseAge * inverseAge
                    + s * rx * (inverseRecency * inverseRecency - inverseAge * inverseAge) + w * dAlpha * dAlpha
                sums.alphaWeighted += w * dAlpha
                sums.alphaWeightedOverB += w * dAlpha * overB[k]
                sums.curvature += w
                sums.curvatureOverB += w * overB[k]
                sums.overB2 += (s + w) * overB[k] * overB[k]
            }
        }
        return sums
    }

    /// ln(α + τ) and 1/(α + τ) of `rows`, into the first slots of `logs` and `inverses`.
    private static func gather(
        _ times: Times, table: (logs: [Double], inverses: [Double])?, alpha: Double, rows: Range<Int>,
        logs: inout [Double], inverses: inout [Double]
    ) {
        switch times {
        case .each(let values):
            for (j, i) in rows.enumerated() {
                let shifted = alpha + values[i]
                logs[j] = Foundation.log(shifted)
                inverses[j] = 1 / shifted
            }
        case .indexed(_, let index):
            guard let table else { return }
            for (j, i) in rows.enumerated() {
                let slot = Int(index[i])
                logs[j] = table.logs[slot]
                inverses[j] = table.inverses[slot]
            }
        }
    }
}
