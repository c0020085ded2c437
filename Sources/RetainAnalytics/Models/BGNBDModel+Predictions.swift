import Foundation
import RealModule

extension BGNBDModel {
    /// The probability that a customer with this history is still active at the end of the period (Fader, Hardie &
    /// Lee 2008, "Computing P(alive) Using the BG/NBD Model", brucehardie.com/notes/021):
    /// P = 1 / (1 + δ_{x>0} a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x)). It is 1 without repeat purchases, because
    /// in the BG/NBD a customer can only drop out right after a purchase.
    /// - Parameters:
    ///   - frequency: x, repeat purchases.
    ///   - recency: t_x.
    ///   - age: T.
    public func probabilityAlive(frequency x: Double, recency tx: Double, age: Double) -> Double {
        guard x > 0 else { return 1 }
        let d = Double.log(a) - Double.log(b + x - 1) + (r + x) * Double.log((alpha + age) / (alpha + tx))
        let e = Double.exp(-abs(d))
        return d >= 0 ? e / (1 + e) : 1 / (1 + e)
    }

    /// E[X(t)]: the repeat purchases a new customer makes in their first `t` time units, eq. (9) of Fader, Hardie &
    /// Lee (2005): (a + b − 1)/(a − 1) · [1 − (α/(α + t))ʳ ₂F₁(r, b; a + b − 1; t/(α + t))].
    /// - Parameter t: the length of time, in the model's unit.
    public func expectedPurchases(within t: Double) -> Double {
        conditionalExpectedPurchases(within: t, frequency: 0, recency: 0, age: 0)
    }

    /// E[Y(t) | x, t_x, T]: the purchases to expect from this customer in the next `t` time units, eq. (10) of
    /// Fader, Hardie & Lee (2005):
    /// [(a + b + x − 1)/(a − 1)] · [1 − ((α + T)/(α + T + t))^(r+x) ₂F₁(r + x, b + x; a + b + x − 1; z)]
    /// / [1 + δ_{x>0} a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x)], with z = t/(α + T + t).
    ///
    /// Evaluated through Euler's transformation ₂F₁(A, B; C; z) = (1 − z)^(C−A−B) ₂F₁(C − A, C − B; C; z), which
    /// turns the bracket into 1 − (1 − z)^(a−1) ₂F₁(a + b − 1 − r, a − 1; a + b + x − 1; z): its series shrinks much
    /// faster as x grows, and with `expMinusOne`/`log(onePlus:)` it keeps its digits when a is close to 1.
    /// - Parameters:
    ///   - t: the length of the future period, in the model's unit.
    ///   - frequency: x, repeat purchases so far.
    ///   - recency: t_x.
    ///   - age: T.
    public func conditionalExpectedPurchases(within t: Double, frequency x: Double, recency tx: Double, age: Double)
        -> Double
    {
        guard t > 0 else { return 0 }
        let (aMinusOne, c) = seriesParameters(frequency: x)
        let series = Hypergeometric.seriesMinusOne(a: aMinusOne + b - r, b: aMinusOne, c: c, z: t / (alpha + age + t))
        return expectation(within: t, age: age, aMinusOne: aMinusOne, c: c, series: series.sum)
            * probabilityAlive(frequency: x, recency: tx, age: age)
    }

    /// E[Y(t) | x, t_x, T] at several horizons at once (eq. (10), as `conditionalExpectedPurchases(within:…)`),
    /// sharing the series' coefficients between them: for discounting by step, as `CustomerValue` does.
    /// - Parameters:
    ///   - horizons: lengths of future periods, in the model's unit.
    ///   - frequency: x, repeat purchases so far.
    ///   - recency: t_x.
    ///   - age: T.
    public func conditionalExpectedPurchases(
        within horizons: [Double], frequency x: Double, recency tx: Double, age: Double
    ) -> [Double] {
        let alive = probabilityAlive(frequency: x, recency: tx, age: age)
        return expectedPurchasesIfActive(within: horizons, frequency: x, age: age).map { $0 * alive }
    }

    /// E[Y(t) | x, t_x, T] ÷ P(alive) at several horizons: the purchases to expect if the customer is still active.
    /// It depends on x and T only (not on t_x), so customers with the same pair can share it.
    /// - Parameters:
    ///   - horizons: lengths of future periods, in the model's unit.
    ///   - frequency: x, repeat purchases so far.
    ///   - age: T.
    public func expectedPurchasesIfActive(within horizons: [Double], frequency x: Double, age: Double) -> [Double] {
        let (aMinusOne, c) = seriesParameters(frequency: x)
        let zs = horizons.map { $0 > 0 ? $0 / (alpha + age + $0) : 0 }
        let series = Hypergeometric.seriesMinusOne(a: aMinusOne + b - r, b: aMinusOne, c: c, z: zs)
        return horizons.indices.map { j in
            horizons[j] > 0
                ? expectation(within: horizons[j], age: age, aMinusOne: aMinusOne, c: c, series: series[j]) : 0
        }
    }

    /// a − 1 (kept away from 0, where the expression is 0/0: a − 1 = ±1e-9 changes the result by about 1e-9
    /// relative) and c = a + b + x − 1.
    private func seriesParameters(frequency x: Double) -> (aMinusOne: Double, c: Double) {
        let aMinusOne = abs(a - 1) < 1e-9 ? (a >= 1 ? 1e-9 : -1e-9) : a - 1
        return (aMinusOne, aMinusOne + b + x)
    }

    /// (c/(a − 1)) · [1 − (1 − z)^(a−1) (1 + series)] with 1 − z = (α + T)/(α + T + t).
    private func expectation(within t: Double, age: Double, aMinusOne: Double, c: Double, series: Double) -> Double {
        let logOneMinusZ = -Double.log(onePlus: t / (alpha + age))
        return c / aMinusOne * -Double.expMinusOne(aMinusOne * logOneMinusZ + Double.log(onePlus: series))
    }

    /// Conditional expected purchases of many customers, on all cores.
    /// - Parameters:
    ///   - t: the length of the future period, in the model's unit.
    ///   - data: the customers' histories.
    public func conditionalExpectedPurchases(within t: Double, _ data: PurchaseHistories) -> [Double] {
        let parts = MaximumLikelihood.chunked(count: data.count, minimumChunk: 4_096) { range in
            range.map {
                conditionalExpectedPurchases(
                    within: t, frequency: data.frequency[$0], recency: data.recency[$0], age: data.age[$0])
            }
        }
        return parts.flatMap { $0 }
    }
}
