import Foundation
import Testing

@testable import RetainAnalytics

@Suite("Gamma-Gamma spend model")
struct GammaGammaModelTests {
    @Test("matches lifetimes on the CDNOW sample", .enabled(if: SharedData.available, SharedData.skipMessage))
    func cdnow() throws {
        let cdnow = try ModelTestData.cdnowSample()
        let expected = try ModelTestData.reference().gammaGamma
        let model = try GammaGammaModel.fit(frequency: cdnow.histories.frequency, averageValue: cdnow.averageValue)
        #expect(model.customers == expected.customers)
        #expect(relativelyClose(model.p, expected.p, 1e-4))
        #expect(relativelyClose(model.q, expected.q, 1e-4))
        #expect(relativelyClose(model.v, expected.v, 1e-4))
        #expect(relativelyClose(model.logLikelihood, expected.logLikelihood, 1e-6))
        for (name, error) in expected.standardErrors {
            #expect(relativelyClose(model.standardErrors[name] ?? .nan, error, 1e-3), "standard error of \(name)")
        }
        let total = zip(cdnow.histories.frequency, cdnow.averageValue).filter { $0.0 > 0 && $0.1 > 0 }
            .reduce(0) { $0 + model.logLikelihood(frequency: $1.0, averageValue: $1.1) }
        #expect(relativelyClose(total, model.logLikelihood, 1e-10))
    }

    @Test("conditional expected average value at lifetimes' parameters matches lifetimes")
    func conditionalValue() throws {
        let reference = try ModelTestData.reference()
        let g = reference.gammaGamma
        let model = GammaGammaModel(p: g.p, q: g.q, v: g.v)
        for customer in reference.chosenCustomers {
            let value = model.conditionalExpectedAverageValue(
                frequency: customer.frequency, averageValue: customer.monetary)
            #expect(relativelyClose(value, customer.expectedAverageValue, 1e-12), "customer \(customer.id)")
        }
        // Without repeat purchases: the population mean pv/(q − 1).
        #expect(
            relativelyClose(
                model.conditionalExpectedAverageValue(frequency: 0, averageValue: 0), g.p * g.v / (g.q - 1), 1e-14))
        #expect(
            GammaGammaModel(p: 1, q: 0.5, v: 1).conditionalExpectedAverageValue(frequency: 0, averageValue: 0).isNaN)
    }

    @Test("recovers the parameters that generated the data, within 3 standard errors")
    func recovery() throws {
        // 3 estimates at 3 SE: all pass with probability ≈ 0.99 for a correct estimator (0.86 at 2 SE).
        let truth = (p: 6.25, q: 3.74, v: 15.44)
        let data = ModelTestData.spendCustomers(20_000, p: truth.p, q: truth.q, v: truth.v, seed: 2013)
        let model = try GammaGammaModel.fit(frequency: data.frequency, averageValue: data.averageValue)
        for (name, value, estimate) in [("p", truth.p, model.p), ("q", truth.q, model.q), ("v", truth.v, model.v)] {
            let error = try #require(model.standardErrors[name])
            #expect(abs(estimate - value) <= 3 * error, "\(name): \(estimate) vs \(value) ± \(error)")
        }
    }

    @Test("the analytic gradient and Hessian match finite differences")
    func derivatives() throws {
        let data = ModelTestData.spendCustomers(2_000, p: 4, q: 3, v: 20, seed: 11)
        let likelihood = try GammaGammaLikelihood(frequency: data.frequency, averageValue: data.averageValue)
        for point in [[6.25, 3.74, 15.44], [1.2, 8, 100], [20, 1.5, 2]] {
            let exact = likelihood.evaluate(p: point[0], q: point[1], v: point[2], hessian: true)
            let model = GammaGammaModel(p: point[0], q: point[1], v: point[2])
            let naive = zip(data.frequency, data.averageValue).reduce(0) {
                $0 + model.logLikelihood(frequency: $1.0, averageValue: $1.1)
            }
            #expect(relativelyClose(exact.value, naive, 1e-11))
            let hessian = try #require(exact.hessian)
            for i in 0..<3 {
                let h = 1e-5 * point[i]
                var up = point
                var down = point
                up[i] += h
                down[i] -= h
                let high = likelihood.evaluate(p: up[0], q: up[1], v: up[2], hessian: false)
                let low = likelihood.evaluate(p: down[0], q: down[1], v: down[2], hessian: false)
                let slope = (high.value - low.value) / (2 * h)
                #expect(abs(exact.gradient[i] - slope) <= 1e-6 * max(1, abs(slope)), "∂LL/∂θ\(i) at \(point)")
                for j in 0..<3 {
                    let curvature = (high.gradient[j] - low.gradient[j]) / (2 * h)
                    #expect(abs(hessian[j][i] - curvature) <= 1e-5 * max(1, abs(curvature)), "∂²LL/∂θ\(j)∂θ\(i)")
                }
            }
        }
    }

    @Test("uses only customers with repeat purchases and positive spend")
    func selection() throws {
        let data = ModelTestData.spendCustomers(500, p: 4, q: 3, v: 20, seed: 5)
        let model = try GammaGammaModel.fit(frequency: data.frequency, averageValue: data.averageValue)
        let padded = try GammaGammaModel.fit(
            frequency: data.frequency + [0, 0, 3, 2], averageValue: data.averageValue + [0, 17, 0, -4])
        #expect(padded.customers == 500)
        #expect(padded.p == model.p && padded.q == model.q && padded.v == model.v)
    }
}
