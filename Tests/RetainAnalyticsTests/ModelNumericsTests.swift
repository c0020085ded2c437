import Foundation
import Testing

@testable import RetainAnalytics

@Suite("model numerics: special functions, optimiser, customer value")
struct ModelNumericsTests {
    @Test("₂F₁ matches closed forms")
    func hypergeometric() {
        for z in [0.0, 0.1, 0.5, 0.9, 0.99] {
            // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z;  ₂F₁(a, b; b; z) = (1 − z)^(−a);  ₂F₁(½, 1; 3/2; −…) not needed.
            let logForm = z == 0 ? 1 : -log1p(-z) / z
            #expect(relativelyClose(Hypergeometric.value(a: 1, b: 1, c: 2, z: z), logForm, 1e-13), "z = \(z)")
            #expect(relativelyClose(Hypergeometric.value(a: 0.7, b: 2.3, c: 2.3, z: z), pow(1 - z, -0.7), 1e-13))
            // Terminating series: ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b + 1)z²/(c(c + 1)).
            let polynomial = 1 - 2 * 1.5 * z / 2.5 + 1.5 * 2.5 * z * z / (2.5 * 3.5)
            #expect(abs(Hypergeometric.value(a: -2, b: 1.5, c: 2.5, z: z) - polynomial) <= 1e-15)
        }
    }

    @Test("digamma and trigamma match known values")
    func polygamma() {
        let eulerGamma = 0.577_215_664_901_532_9
        #expect(relativelyClose(Polygamma.digamma(1), -eulerGamma, 1e-14))
        #expect(relativelyClose(Polygamma.digamma(0.5), -eulerGamma - 2 * log(2.0), 1e-14))
        #expect(relativelyClose(Polygamma.digamma(100), 4.600_161_852_738_087, 1e-14))
        #expect(relativelyClose(Polygamma.trigamma(1), Double.pi * Double.pi / 6, 1e-14))
        #expect(relativelyClose(Polygamma.trigamma(0.5), Double.pi * Double.pi / 2, 1e-14))
        #expect(relativelyClose(Polygamma.digamma(1e-3) - Polygamma.digamma(1 + 1e-3), -1e3, 1e-14))
    }

    @Test("BFGS minimises the Rosenbrock function")
    func rosenbrock() {
        let result = MaximumLikelihood.minimize(start: [-1.2, 1], gradientTolerance: 1e-10) { p in
            let (x, y) = (p[0], p[1])
            let value = 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x)
            return (value, [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)])
        }
        #expect(result.converged)
        #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8)
    }

    @Test("standard errors by the delta method from a log-parameter Hessian")
    func deltaMethod() throws {
        // f(φ) = ½ Σ φᵢ²/σᵢ² has inverse Hessian diag(σ²): SE(θᵢ) = θᵢ σᵢ.
        let errors = try #require(
            MaximumLikelihood.standardErrors(logHessian: [[4, 0], [0, 0.25]], parameters: [3, 10]))
        #expect(relativelyClose(errors[0], 3 * 0.5, 1e-15) && relativelyClose(errors[1], 10 * 2, 1e-15))
        #expect(MaximumLikelihood.standardErrors(logHessian: [[1, 2], [2, 1]], parameters: [1, 1]) == nil)
    }

    @Test("customer value matches lifetimes' customer_lifetime_value with its month convention")
    func lifetimesValue() throws {
        let reference = try ModelTestData.reference()
        let (p, g, clv) = (reference.bgnbd, reference.gammaGamma, reference.customerLifetimeValue)
        let model = BGNBDModel(r: p.r, alpha: p.alpha, a: p.a, b: p.b)
        let spend = GammaGammaModel(p: g.p, q: g.q, v: g.v)
        for customer in reference.chosenCustomers {
            let value = CustomerValue.predicted(
                model: model,
                spend: spend.conditionalExpectedAverageValue(
                    frequency: customer.frequency, averageValue: customer.monetary),
                frequency: customer.frequency, recency: customer.recency, age: customer.age, horizon: clv.horizonWeeks,
                steps: clv.steps, discountRate: clv.yearlyDiscountRate, unitsPerYear: clv.unitsPerYear, margin: 1)
            #expect(relativelyClose(value, customer.customerLifetimeValue, 1e-9), "customer \(customer.id)")
        }
    }

    @Test("customer value follows its formula")
    func valueFormula() {
        let model = BGNBDModel(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let history = (frequency: 4.0, recency: 30.0, age: 38.0)
        func value(_ horizon: Double, _ steps: Int, _ rate: Double, _ margin: Double) -> Double {
            CustomerValue.predicted(
                model: model, spend: 25, frequency: history.frequency, recency: history.recency, age: history.age,
                horizon: horizon, steps: steps, discountRate: rate, unitsPerYear: 52.1775, margin: margin)
        }
        let expected = model.conditionalExpectedPurchases(
            within: 104, frequency: history.frequency, recency: history.recency, age: history.age)
        // Without discounting the steps add up to the whole horizon.
        #expect(relativelyClose(value(104, 1, 0, 1), 25 * expected, 1e-14))
        #expect(relativelyClose(value(104, 24, 0, 0.3), 0.3 * 25 * expected, 1e-12))
        // One step of one year at 10 %: the purchases of the year, discounted by 1.1.
        let year = model.conditionalExpectedPurchases(
            within: 52.1775, frequency: history.frequency, recency: history.recency, age: history.age)
        #expect(relativelyClose(value(52.1775, 1, 0.1, 1), 25 * year / 1.1, 1e-14))
        // Discounting lowers the value, more steps discount earlier purchases less.
        #expect(value(104, 24, 0.1, 1) < value(104, 24, 0, 1))
        #expect(value(104, 24, 0.1, 1) > value(104, 1, 0.1, 1))
        #expect(value(0, 12, 0.1, 1) == 0)
    }
}
