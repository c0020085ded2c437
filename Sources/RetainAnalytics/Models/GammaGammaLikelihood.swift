import Foundation
import RealModule

/// The Gamma-Gamma log-likelihood of a data set with its gradient and Hessian. Customers are grouped by x, so
/// that the log-gammas are computed once per distinct x and only ln(v + x m) is computed per customer.
struct GammaGammaLikelihood: Sendable {
    /// The customers used (x > 0, m > 0), in their original order.
    let frequency: [Double]
    let value: [Double]
    /// Distinct x; the customers of group k are `scaled[groupStart[k]..<groupStart[k + 1]]`, holding x·m.
    let groups: [Double]
    let groupStart: [Int]
    let scaled: [Double]
    /// Σ ln m per group.
    let logValueSums: [Double]
    let meanValue: Double

    var customers: Int { frequency.count }

    init(frequency allFrequency: [Double], averageValue: [Double]) throws(ModelFitError) {
        guard allFrequency.count == averageValue.count else {
            throw .mismatchedLengths(
                frequency: allFrequency.count, recency: averageValue.count, age: averageValue.count)
        }
        var frequency: [Double] = []
        var value: [Double] = []
        for (i, x) in allFrequency.enumerated() {
            guard x.isFinite, x >= 0 else {
                throw .invalidValue(
                    column: "frequency", customer: i, value: x,
                    reason: "a count of repeat purchases is finite and 0 "
                        + "or more")
            }
            guard x > 0 else { continue }
            let m = averageValue[i]
            guard m.isFinite else {
                throw .invalidValue(
                    column: "average value", customer: i, value: m,
                    reason: "an average purchase value is a finite "
                        + "amount")
            }
            guard m > 0 else { continue }
            frequency.append(x)
            value.append(m)
        }
        guard frequency.count >= 3 else {
            throw .tooFewCustomers(
                model: "Gamma-Gamma (customers with repeat purchases and spend)",
                count: frequency.count, minimum: 3)
        }
        guard value.contains(where: { $0 != value[0] }) else {
            throw .identicalHistories(model: "Gamma-Gamma", customers: frequency.count)
        }
        var groupOf: [Double: Int] = [:]
        var groups: [Double] = []
        var sizes: [Int] = []
        let membership = frequency.map { x -> Int in
            if let group = groupOf[x] {
                sizes[group] += 1
                return group
            }
            groupOf[x] = groups.count
            groups.append(x)
            sizes.append(1)
            return groups.count - 1
        }
        var groupStart = [0]
        for size in sizes { groupStart.append(groupStart.last! + size) }
        var next = Array(groupStart.dropLast())
        var scaled = [Double](repeating: 0, count: frequency.count)
        var logValueSums = [Double](repeating: 0, count: groups.count)
        for (i, group) in membership.enumerated() {
            scaled[next[group]] = frequency[i] * value[i]
            next[group] += 1
            logValueSums[group] += Double.log(value[i])
        }
        self.frequency = frequency
        self.value = value
        self.groups = groups
        self.groupStart = groupStart
        self.scaled = scaled
        self.logValueSums = logValueSums
        meanValue = value.reduce(0, +) / Double(value.count)
    }

    /// The total log-likelihood at (p, q, v), its gradient and, when asked, its Hessian (natural parameters).
    func evaluate(p: Double, q: Double, v: Double, hessian: Bool) -> (
        value: Double, gradient: [Double], hessian: [[Double]]?
    ) {
        let sums = groupSums(v: v)
        var total = 0.0
        var g = [0.0, 0, 0]
        var h = [[0.0, 0, 0], [0, 0, 0], [0, 0, 0]]
        let (logV, psiQ, triQ, logGammaQ) = (
            Double.log(v), Polygamma.digamma(q), Polygamma.trigamma(q), Double.logGamma(q)
        )
        for (k, x) in groups.enumerated() {
            let n = Double(groupStart[k + 1] - groupStart[k])
            let px = p * x
            let (logs, inverses, squares) = (sums[3 * k], sums[3 * k + 1], sums[3 * k + 2])
            total +=
                n * (Double.logGamma(px + q) - Double.logGamma(px) - logGammaQ + q * logV + px * Double.log(x))
                + (px - 1) * logValueSums[k] - (px + q) * logs
            let psiPXQ = Polygamma.digamma(px + q)
            g[0] += x * (n * (psiPXQ - Polygamma.digamma(px) + Double.log(x)) + logValueSums[k] - logs)
            g[1] += n * (psiPXQ - psiQ + logV) - logs
            g[2] += n * q / v - (px + q) * inverses
            guard hessian else { continue }
            let triPXQ = Polygamma.trigamma(px + q)
            h[0][0] += x * x * n * (triPXQ - Polygamma.trigamma(px))
            h[0][1] += x * n * triPXQ
            h[0][2] -= x * inverses
            h[1][1] += n * (triPXQ - triQ)
            h[1][2] += n / v - inverses
            h[2][2] += -n * q / (v * v) + (px + q) * squares
        }
        guard hessian else { return (total, g, nil) }
        for i in 0..<3 { for j in 0..<i { h[i][j] = h[j][i] } }
        return (total, g, h)
    }

    /// Per group k: Σ ln(v + x m), Σ 1/(v + x m), Σ 1/(v + x m)², at index 3k, 3k + 1, 3k + 2.
    private func groupSums(v: Double) -> [Double] {
        let parts = MaximumLikelihood.chunked(count: scaled.count) { range in
            var sums = [Double](repeating: 0, count: 3 * groups.count)
            var k = 0
            while groupStart[k + 1] <= range.lowerBound { k += 1 }
            var i = range.lowerBound
            while i < range.upperBound {
                let end = min(groupStart[k + 1], range.upperBound)
                var (logs, inverses, squares) = (0.0, 0.0, 0.0)
                while i < end {
                    let inverse = 1 / (v + scaled[i])
                    logs += Foundation.log(v + scaled[i])
                    inverses += inverse
                    squares += inverse * inverse
                    i += 1
                }
                sums[3 * k] += logs
                sums[3 * k + 1] += inverses
                sums[3 * k + 2] += squares
                k += 1
            }
            return sums
        }
        return parts.dropFirst().reduce(parts[0]) { zip($0, $1).map { $0 + $1 } }
    }

    /// The mean negative log-likelihood at log-parameters φ, its gradient in φ and, when asked, its Hessian in φ.
    func objective(_ logParameters: [Double], hessian: Bool) -> (
        value: Double, gradient: [Double], logHessian: [[Double]]?
    ) {
        let p = logParameters.map { Double.exp($0) }
        let n = Double(customers)
        let evaluation = evaluate(p: p[0], q: p[1], v: p[2], hessian: hessian)
        let gradient = evaluation.gradient.map { -$0 / n }
        let logHessian = evaluation.hessian.map {
            MaximumLikelihood.logHessian(natural: $0.map { $0.map { -$0 / n } }, gradient: gradient, parameters: p)
        }
        return (-evaluation.value / n, zip(p, gradient).map { $0 * $1 }, logHessian)
    }
}
