import Foundation
import RealModule

/// Per-customer repeat-purchase summary in a time unit (weeks or days): x = repeat transactions, tx = time of last
/// purchase after the first (recency), T = age (first purchase to the end of the calibration period).
public struct PurchaseHistories: Sendable {
    /// x: repeat purchases (purchases after the first), a whole number.
    public var frequency: [Double]
    /// t_x: time from the first to the last purchase (0 without repeats).
    public var recency: [Double]
    /// T: time from the first purchase to the end of the period.
    public var age: [Double]

    /// Columns of one value per customer, in the same time unit.
    /// - Parameters:
    ///   - frequency: x, repeat purchases.
    ///   - recency: t_x, time from the first to the last purchase.
    ///   - age: T, time from the first purchase to the end of the period.
    public init(frequency: [Double], recency: [Double], age: [Double]) {
        self.frequency = frequency
        self.recency = recency
        self.age = age
    }

    /// The number of customers.
    public var count: Int { frequency.count }
}

/// The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "'Counting Your Customers' the Easy Way: An
/// Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275–284).
///
/// While active, a customer buys at rate λ ~ Gamma(r, α) (shape r, rate α); after each purchase they drop out
/// with probability p ~ Beta(a, b). One customer's likelihood, eq. (3), is
/// L(λ, p | x, t_x, T) = (1 − p)ˣ λˣ e^(−λT) + δ_{x>0} p (1 − p)^(x−1) λˣ e^(−λ t_x); mixed over λ and p it
/// becomes eq. (6), `logLikelihood(frequency:recency:age:)`. Fit it to per-customer histories, then ask for each customer's chance of being
/// active and the purchases to expect:
/// ```swift
/// let model = try BGNBDModel.fit(histories)            // weeks in, weeks out
/// let next39 = model.conditionalExpectedPurchases(within: 39, frequency: 2, recency: 30.4, age: 38.9)
/// ```
public struct BGNBDModel: Sendable, Codable {
    /// Shape of the gamma distribution of purchase rates.
    public var r: Double
    /// Rate (inverse scale) of the gamma distribution of purchase rates, in the data's time unit.
    public var alpha: Double
    /// First shape of the beta distribution of drop-out probabilities.
    public var a: Double
    /// Second shape of the beta distribution of drop-out probabilities.
    public var b: Double
    /// The maximised log-likelihood, TOTAL over customers, in the time unit of the data.
    public var logLikelihood: Double
    /// Standard errors of "r", "alpha", "a", "b" from the observed information (inverse Hessian), by the delta
    /// method from log-parameters; empty for a model built from given parameters.
    public var standardErrors: [String: Double]
    /// The number of customers fitted.
    public var customers: Int
    /// BFGS iterations on the whole data set.
    public var iterations: Int
    /// What a reader should know about this fit (an estimate at the edge of the parameters), in words.
    public var notes: [String] = []

    /// A model with given parameters (no fit: log-likelihood 0, no standard errors).
    /// - Parameters:
    ///   - r: shape of the purchase-rate distribution.
    ///   - alpha: rate of the purchase-rate distribution, per time unit.
    ///   - a: first shape of the drop-out distribution.
    ///   - b: second shape of the drop-out distribution.
    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
        logLikelihood = 0
        standardErrors = [:]
        customers = 0
        iterations = 0
    }

    /// Fits the model by maximum likelihood (BFGS on log-parameters with analytic gradients).
    ///
    /// Above 100,000 customers a pilot fit on an evenly spaced sample of about 20,000 gives the starting point and,
    /// from its exact Hessian, the first inverse Hessian, so the whole data is read only a handful of times.
    /// - Parameter data: one history per customer; frequencies are whole numbers, 0 ≤ recency ≤ age.
    /// - Throws: `ModelFitError` when the data cannot support a fit (too few customers, no repeat purchases,
    ///   identical histories, invalid values) or the optimiser does not reach a proper maximum.
    public static func fit(_ data: PurchaseHistories) throws -> BGNBDModel {
        let likelihood = try BGNBDLikelihood(data)
        // r = a = b = 1, and α such that r/α (the mean purchase rate) matches the mean x over the mean T.
        let start = [0, Double.log(max(likelihood.meanAge, 1e-9) / max(likelihood.meanCount, 1e-3)), 0, 0]
        let objective: MaximumLikelihood.Objective = {
            let value = likelihood.objective($0, hessian: false)
            return (value.value, value.gradient)
        }
        var result: MaximumLikelihood.Result? = nil
        if data.count >= 100_000, let pilot = pilotFit(data) {
            result = MaximumLikelihood.minimize(
                start: pilot.point, inverseHessian: pilot.inverseHessian, objective: objective)
        }
        if result?.converged != true && (result?.point[2] ?? 0) > -10 {
            result = MaximumLikelihood.minimize(start: start, objective: objective)
        }
        guard let result else { throw ModelFitError.noProperMaximum(model: "BG/NBD") }
        let p = result.point.map { Double.exp($0) }
        let names = ["r", "alpha", "a", "b"]
        let scale = [1, likelihood.meanAge, 1, 1]
        // A drop-out probability that runs to 0 (a → 0, or b → ∞ with a/(a + b) → 0) is an answer, not a failure:
        // these customers hardly ever leave, and the model becomes the NBD model (P(alive) near 1) — lifetimes
        // reports such data the same way (a ≈ 1e-7). The purchase-rate parameters must stay inside.
        // a, b → ∞ together at a fixed a/(a + b): the drop-out probability no longer varies between customers. The
        // likelihood is flat along that ridge, so where the optimiser stops is arbitrary, and the predictions
        // overflow there.
        if p[2] > 1e4 && p[3] > 1e4 { throw ModelFitError.sameDropoutForEveryone(a: p[2], b: p[3]) }
        var notes: [String] = []
        for i in 0..<4 where !(p[i] / scale[i] > 1e-8 && p[i] / scale[i] < 1e7) {
            let vanishingDropout = (i == 2 && p[2] < 1) || (i == 3 && p[3] > 1 && p[2] / (p[2] + p[3]) < 1e-6)
            guard vanishingDropout else {
                throw ModelFitError.degenerateEstimate(model: "BG/NBD", parameter: names[i], value: p[i])
            }
            if notes.isEmpty {
                notes.append(
                    "the drop-out probability went to zero (a = \(p[2]), b = \(p[3])): in this data customers hardly "
                        + "ever stop buying, so the model is the NBD model and P(alive) is close to 1 for everyone")
            }
        }
        guard result.converged || !notes.isEmpty else {
            throw ModelFitError.didNotConverge(
                model: "BG/NBD", iterations: result.iterations, gradient: result.gradient.map(abs).max() ?? .nan)
        }
        let final = likelihood.objective(result.point, hessian: true)
        let errors = final.logHessian.flatMap {
            MaximumLikelihood.standardErrors(
                logHessian: $0.map { $0.map { $0 * Double(likelihood.customers) } }, parameters: p)
        }
        if errors == nil && notes.isEmpty && p[2] < 1e-3 && p[2] / (p[2] + p[3]) < 1e-4 {
            notes.append(
                "the drop-out probability is close to zero (a = \(p[2]), b = \(p[3])): in this data customers hardly "
                    + "ever stop buying, so the model is the NBD model and P(alive) is close to 1 for everyone")
        }
        guard errors != nil || !notes.isEmpty else { throw ModelFitError.noProperMaximum(model: "BG/NBD") }
        if errors == nil { notes.append("at the edge of the parameters the standard errors are not defined") }
        var model = BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3])
        model.logLikelihood = -final.value * Double(likelihood.customers)
        model.standardErrors = errors.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) } ?? [:]
        model.notes = notes
        model.customers = likelihood.customers
        model.iterations = result.iterations
        return model
    }

    /// The log-parameters fitted to every k-th customer (about 20,000) and the inverse of the exact Hessian of the
    /// mean negative log-likelihood there — an estimate of the whole data's, since the mean does not grow with the
    /// number of customers. Nil if the sample cannot be fitted.
    /// A pilot that cannot settle because the drop-out probability runs to zero still gives the start, with the
    /// inverse Hessian only when it exists.
    private static func pilotFit(_ data: PurchaseHistories) -> (point: [Double], inverseHessian: [[Double]]?)? {
        let step = max(1, data.count / 20_000)
        let rows = stride(from: 0, to: data.count, by: step)
        let sample = PurchaseHistories(
            frequency: rows.map { data.frequency[$0] }, recency: rows.map { data.recency[$0] },
            age: rows.map { data.age[$0] })
        guard let likelihood = try? BGNBDLikelihood(sample) else { return nil }
        let start = [0, Double.log(max(likelihood.meanAge, 1e-9) / max(likelihood.meanCount, 1e-3)), 0, 0]
        let result = MaximumLikelihood.minimize(start: start, gradientTolerance: 1e-6) {
            let value = likelihood.objective($0, hessian: false)
            return (value.value, value.gradient)
        }
        guard result.value.isFinite, result.point.allSatisfy(\.isFinite) else { return nil }
        let inverse = likelihood.objective(result.point, hessian: true).logHessian.flatMap {
            MaximumLikelihood.inverseOfPositiveDefinite($0)
        }
        guard result.converged || result.point[2] < -10 else { return nil }  // unsettled only at a → 0
        return (result.point, inverse)
    }

    /// The total log-likelihood of `data` under this model's parameters (NaN if the columns differ in length).
    /// - Parameter data: one history per customer, in the model's time unit.
    public func logLikelihood(_ data: PurchaseHistories) -> Double {
        guard data.recency.count == data.count, data.age.count == data.count else { return .nan }
        var total = 0.0
        for i in 0..<data.count {
            total += logLikelihood(frequency: data.frequency[i], recency: data.recency[i], age: data.age[i])
        }
        return total
    }

    /// One customer's log-likelihood, eq. (6) of Fader, Hardie & Lee (2005):
    /// L = B(a, b + x)/B(a, b) · Γ(r + x) αʳ / (Γ(r) (α + T)^(r+x))
    ///   + δ_{x>0} B(a + 1, b + x − 1)/B(a, b) · Γ(r + x) αʳ / (Γ(r) (α + t_x)^(r+x)),
    /// written as ln A₁ + ln A₂ + ln(A₃ + δ_{x>0} A₄) as in their Excel note (brucehardie.com/notes/004).
    /// - Parameters:
    ///   - frequency: x, repeat purchases.
    ///   - recency: t_x.
    ///   - age: T.
    public func logLikelihood(frequency x: Double, recency tx: Double, age: Double) -> Double {
        let logA1 = Double.logGamma(r + x) - Double.logGamma(r) + r * Double.log(alpha)
        let logA2 = Double.logGamma(a + b) + Double.logGamma(b + x) - Double.logGamma(b) - Double.logGamma(a + b + x)
        let logA3 = -(r + x) * Double.log(alpha + age)
        guard x > 0 else { return logA1 + logA2 + logA3 }
        let logA4 = Double.log(a) - Double.log(b + x - 1) - (r + x) * Double.log(alpha + tx)
        let larger = max(logA3, logA4)
        return logA1 + logA2 + larger + Double.log(Double.exp(logA3 - larger) + Double.exp(logA4 - larger))
    }
}
