import Foundation
import RealModule

/// The Gamma-Gamma model of the money per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value
/// Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 415–430; Fader & Hardie 2013, "The
/// Gamma-Gamma Model of Monetary Value", brucehardie.com/notes/025).
///
/// A customer's transaction values are Gamma(p, ν) (shape p, rate ν), and ν varies across customers as Gamma(q, v)
/// (shape q, rate v); the spend model is independent of the purchase model. The average value of a customer's
/// repeat purchases is shrunk towards the population mean p·v/(q − 1), the less so the more purchases they made:
/// ```swift
/// let spend = try GammaGammaModel.fit(frequency: x, averageValue: m)
/// let expected = spend.conditionalExpectedAverageValue(frequency: 3, averageValue: 24.5)
/// ```
public struct GammaGammaModel: Sendable, Codable {
    /// Shape of the distribution of one customer's transaction values.
    public var p: Double
    /// Shape of the distribution of the customers' rate parameters ν.
    public var q: Double
    /// Rate of the distribution of the customers' rate parameters ν, in money units.
    public var v: Double
    /// The maximised log-likelihood, TOTAL over the customers used.
    public var logLikelihood: Double
    /// Standard errors of "p", "q", "v" (inverse Hessian, delta method from log-parameters); empty when not fitted.
    public var standardErrors: [String: Double]
    /// The customers used in the fit (those with repeat purchases and a positive average value).
    public var customers: Int

    /// A model with given parameters (no fit: log-likelihood 0, no standard errors).
    /// - Parameters:
    ///   - p: shape of one customer's transaction values.
    ///   - q: shape of the rate distribution.
    ///   - v: rate of the rate distribution.
    public init(p: Double, q: Double, v: Double) {
        self.p = p
        self.q = q
        self.v = v
        logLikelihood = 0
        standardErrors = [:]
        customers = 0
    }

    /// Fits the model by maximum likelihood. Only customers with frequency > 0 and average value > 0 are used:
    /// the average is over the repeat purchases, so a customer without them says nothing about spend, and the
    /// model has no room for zero or negative values.
    /// - Parameters:
    ///   - frequency: x, each customer's repeat purchases.
    ///   - averageValue: m_x, the mean value of those purchases.
    /// - Throws: `ModelFitError` when fewer than 3 customers qualify, a value is not finite, all averages are the
    ///   same, or the optimiser does not reach a proper maximum.
    public static func fit(frequency: [Double], averageValue: [Double]) throws -> GammaGammaModel {
        let likelihood = try GammaGammaLikelihood(frequency: frequency, averageValue: averageValue)
        let mean = likelihood.meanValue
        // p = 1, q = 2 and v such that the population mean pv/(q − 1) is the mean of the averages.
        let start = [0, Double.log(2), Double.log(mean)]
        let objective: MaximumLikelihood.Objective = {
            let value = likelihood.objective($0, hessian: false)
            return (value.value, value.gradient)
        }
        var result: MaximumLikelihood.Result? = nil
        if likelihood.customers >= 100_000, let pilot = pilotFit(likelihood, start: start) {
            result = MaximumLikelihood.minimize(
                start: pilot.point, inverseHessian: pilot.inverseHessian, objective: objective)
        }
        if result?.converged != true {
            result = MaximumLikelihood.minimize(start: start, objective: objective)
        }
        guard let result else { throw ModelFitError.noProperMaximum(model: "Gamma-Gamma") }
        let parameters = result.point.map { Double.exp($0) }
        let names = ["p", "q", "v"]
        let scale = [1, 1, mean]
        for i in 0..<3 where !(parameters[i] / scale[i] > 1e-8 && parameters[i] / scale[i] < 1e7) {
            throw ModelFitError.degenerateEstimate(model: "Gamma-Gamma", parameter: names[i], value: parameters[i])
        }
        guard result.converged else {
            throw ModelFitError.didNotConverge(
                model: "Gamma-Gamma", iterations: result.iterations,
                gradient: result.gradient.map(abs).max() ?? .nan)
        }
        let final = likelihood.objective(result.point, hessian: true)
        guard let hessian = final.logHessian,
            let errors = MaximumLikelihood.standardErrors(
                logHessian: hessian.map { $0.map { $0 * Double(likelihood.customers) } }, parameters: parameters)
        else { throw ModelFitError.noProperMaximum(model: "Gamma-Gamma") }
        var model = GammaGammaModel(p: parameters[0], q: parameters[1], v: parameters[2])
        model.logLikelihood = -final.value * Double(likelihood.customers)
        model.standardErrors = Dictionary(uniqueKeysWithValues: zip(names, errors))
        model.customers = likelihood.customers
        return model
    }

    /// The log-parameters fitted to every k-th customer used (about 20,000) and the inverse of the exact Hessian of
    /// the mean negative log-likelihood there (see `BGNBDModel.fit`), or nil if the sample cannot be fitted.
    private static func pilotFit(_ likelihood: GammaGammaLikelihood, start: [Double]) -> (
        point: [Double], inverseHessian: [[Double]]
    )? {
        let rows = stride(from: 0, to: likelihood.customers, by: max(1, likelihood.customers / 20_000))
        guard
            let pilot = try? GammaGammaLikelihood(
                frequency: rows.map { likelihood.frequency[$0] }, averageValue: rows.map { likelihood.value[$0] })
        else { return nil }
        let result = MaximumLikelihood.minimize(start: start, gradientTolerance: 1e-6) {
            let value = pilot.objective($0, hessian: false)
            return (value.value, value.gradient)
        }
        guard result.converged, let hessian = pilot.objective(result.point, hessian: true).logHessian,
            let inverse = MaximumLikelihood.inverseOfPositiveDefinite(hessian)
        else { return nil }
        return (result.point, inverse)
    }

    /// One customer's log-likelihood: the density of the average m_x of x values (Fader & Hardie 2013),
    /// Γ(px + q)/(Γ(px) Γ(q)) · v^q m_x^(px−1) x^(px) / (v + x m_x)^(px+q).
    /// - Parameters:
    ///   - frequency: x > 0.
    ///   - averageValue: m_x > 0.
    public func logLikelihood(frequency x: Double, averageValue m: Double) -> Double {
        let px = p * x
        return Double.logGamma(px + q) - Double.logGamma(px) - Double.logGamma(q) + q * Double.log(v)
            + (px - 1) * Double.log(m) + px * Double.log(x) - (px + q) * Double.log(x * m + v)
    }

    /// E(M | p, q, v, m_x, x): the expected value of this customer's future transactions (Fader & Hardie 2013),
    /// (q − 1)/(px + q − 1) · pv/(q − 1) + px/(px + q − 1) · m_x = p(v + x m_x)/(px + q − 1). With x = 0 it is the
    /// population mean pv/(q − 1); NaN when px + q ≤ 1 (the mean does not exist).
    /// - Parameters:
    ///   - frequency: x, repeat purchases (0 allowed).
    ///   - averageValue: m_x, their average value (ignored when x = 0).
    public func conditionalExpectedAverageValue(frequency x: Double, averageValue m: Double) -> Double {
        let denominator = p * x + q - 1
        guard denominator > 0 else { return .nan }
        return p * (v + (x > 0 ? x * m : 0)) / denominator
    }
}
