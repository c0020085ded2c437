import Foundation

/// Predicted customer lifetime value: the BG/NBD's expected purchases, times the expected value per purchase,
/// discounted to today.
public enum CustomerValue {
    /// Discounted expected revenue (× margin) over `horizon` time units, in `steps` equal steps; `discountRate` per
    /// year, `unitsPerYear` = 52.1775 for weeks, 365.25 for days.
    ///
    /// CLV = margin · spend · Σₖ [E(kh) − E((k − 1)h)] / (1 + discountRate)^(kh / unitsPerYear), with h =
    /// horizon/steps and E(t) the conditional expected purchases in the next t units (eq. (10) of Fader, Hardie &
    /// Lee 2005): each step's purchases are discounted from the end of the step.
    ///
    /// lifetimes' `customer_lifetime_value(time: months, discount_rate: monthly, freq:)` is the same sum with a
    /// month of 4.345 weeks or 30 days as the step and a monthly rate: it equals this with horizon = months × 4.345
    /// (weeks), steps = months, unitsPerYear = 12 × 4.345 and discountRate = (1 + monthly)¹² − 1.
    /// - Parameters:
    ///   - model: the fitted purchase model.
    ///   - spend: the expected value of one purchase (e.g. `GammaGammaModel.conditionalExpectedAverageValue`).
    ///   - frequency: x, repeat purchases so far.
    ///   - recency: t_x.
    ///   - age: T.
    ///   - horizon: how far ahead, in the model's time unit.
    ///   - steps: how many equal steps the horizon is discounted in (at least 1).
    ///   - discountRate: the yearly discount rate (0.1 = 10 %).
    ///   - unitsPerYear: time units in a year.
    ///   - margin: the share of revenue that is profit (1 for revenue).
    public static func predicted(
        model: BGNBDModel, spend: Double, frequency: Double, recency: Double, age: Double, horizon: Double,
        steps: Int, discountRate: Double, unitsPerYear: Double, margin: Double
    ) -> Double {
        let ifActive = ifActive(
            model: model, frequency: frequency, age: age, horizon: horizon, steps: steps, discountRate: discountRate,
            unitsPerYear: unitsPerYear)
        return margin * spend * model.probabilityAlive(frequency: frequency, recency: recency, age: age)
            * ifActive.discountedPurchases
    }

    /// The parts of the CLV that depend only on x and T: the expected purchases over the horizon given that the
    /// customer is still active, and the same step by step discounted. E[Y(t) | x, t_x, T] is P(alive) (which alone
    /// depends on t_x) times these, so customers sharing (x, T) — most of them in a daily log — share one
    /// evaluation of the series.
    public static func ifActive(
        model: BGNBDModel, frequency: Double, age: Double, horizon: Double, steps: Int, discountRate: Double,
        unitsPerYear: Double
    ) -> (purchases: Double, discountedPurchases: Double) {
        guard horizon > 0, steps > 0 else { return (0, 0) }
        let ends = (1...steps).map { horizon * Double($0) / Double(steps) }
        let cumulative = model.expectedPurchasesIfActive(within: ends, frequency: frequency, age: age)
        var previous = 0.0
        var total = 0.0
        for (end, purchases) in zip(ends, cumulative) {
            total += (purchases - previous) / Foundation.pow(1 + discountRate, end / unitsPerYear)
            previous = purchases
        }
        return (cumulative.last ?? 0, total)
    }
}
