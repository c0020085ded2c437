import Foundation
import Testing

@testable import RetainAnalytics

/// Data for the model tests: the CDNOW sample as the BG/NBD paper summarises it, lifetimes' reference numbers, and
/// synthetic customers drawn from the models themselves with a seeded generator.
enum ModelTestData {
    /// The CDNOW sample summarised in weeks, built here from the raw rows (independently of RetainAnalytics'
    /// ingest): a transaction is a customer-day; calibration = days up to 1997-09-30 inclusive; x = calibration days
    /// after the first; t_x = (last − first day)/7; T = (1997-09-30 − first day)/7. This T — days to 1997-09-30, not
    /// to 1997-10-01 — is the convention that reproduces the published fit (r = 0.243, α = 4.414, a = 0.793,
    /// b = 2.426, LL = −9582.4); counting 1997-09-30 as a whole day (T + 1/7) gives LL = −9589.9.
    struct CDNOW {
        var histories = PurchaseHistories(frequency: [], recency: [], age: [])
        /// Mean money of each customer's calibration repeat days (0 without repeats).
        var averageValue: [Double] = []
        /// Customer-days in the holdout 1997-10-01 → 1998-06-30.
        var holdoutTransactions = 0
    }

    static func cdnowSample() throws -> CDNOW {
        let text = String(decoding: try SharedData.gunzipped("cdnow_sample_2357.csv.gz"), as: UTF8.self)
        let calibrationEnd = day(1997, 9, 30)
        let holdoutEnd = day(1998, 6, 30)
        var money: [Int: [Int: Double]] = [:]  // customer → day → dollars
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 5, let customer = Int(fields[0]), let dollars = Double(fields[4]) else { continue }
            let digits = fields[2].filter(\.isNumber)
            guard digits.count == 8, let date = Int(digits) else { continue }
            let purchaseDay = day(date / 10_000, date / 100 % 100, date % 100)
            money[customer, default: [:]][purchaseDay, default: 0] += dollars
        }
        var result = CDNOW()
        for customer in money.keys.sorted() {
            let days = money[customer]!.keys.sorted()
            let calibration = days.filter { $0 <= calibrationEnd }
            guard let first = calibration.first, let last = calibration.last else { continue }
            result.histories.frequency.append(Double(calibration.count - 1))
            result.histories.recency.append(Double(last - first) / 7)
            result.histories.age.append(Double(calibrationEnd - first) / 7)
            let repeats = calibration.dropFirst().map { money[customer]![$0]! }
            result.averageValue.append(repeats.isEmpty ? 0 : repeats.reduce(0, +) / Double(repeats.count))
            result.holdoutTransactions += days.filter { $0 > calibrationEnd && $0 <= holdoutEnd }.count
        }
        return result
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func day(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // MARK: lifetimes reference (scripts/reference/lifetimes_reference.py)

    struct Reference: Decodable {
        struct BGNBD: Decodable {
            var r, alpha, a, b, logLikelihood, holdoutPrediction: Double
            var standardErrors: [String: Double]
            var expectedPurchases: [String: Double]
            var logLikelihoodAt: [Point]
        }
        struct Point: Decodable {
            var parameters: [Double]
            var logLikelihood: Double
        }
        struct GammaGamma: Decodable {
            var p, q, v, logLikelihood: Double
            var customers: Int
            var standardErrors: [String: Double]
        }
        struct Value: Decodable {
            var horizonWeeks, unitsPerYear, yearlyDiscountRate: Double
            var steps: Int
        }
        struct Customer: Decodable {
            var id: Int
            var frequency, recency, age, monetary: Double
            var probabilityAlive, expected39, expected52, expectedAverageValue, customerLifetimeValue: Double
        }
        var customers: Int
        var holdoutRepeatTransactions: Int
        var bgnbd: BGNBD
        var gammaGamma: GammaGamma
        var customerLifetimeValue: Value
        var chosenCustomers: [Customer]
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/lifetimes_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    // MARK: synthetic customers

    /// Customers drawn by ../shared/bench/gen_bgnbd_synthetic.py (fixture written by
    /// scripts/reference/bgnbd_synthetic_reference.py) with the parameters that drew them.
    static func sharedGeneratorCustomers() throws -> (histories: PurchaseHistories, truth: [String: Double]) {
        struct Fixture: Decodable {
            var truth: [String: Double]
            var frequency: [Double]
            var recency: [Double]
            var age: [Double]
            enum CodingKeys: String, CodingKey {
                case truth, frequency, recency
                case age = "T"
            }
        }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bgnbd_synthetic.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let histories = PurchaseHistories(frequency: fixture.frequency, recency: fixture.recency, age: fixture.age)
        return (histories, fixture.truth)
    }

    /// BG/NBD customers drawn as ../shared/bench/gen_bgnbd_synthetic.py does: λ ~ Gamma(r, rate α),
    /// p ~ Beta(a, b), T ~ U(20, 78), J ~ Geometric(p) on {1, 2, …}, N ~ Poisson(λT), x = min(J, N),
    /// t_x = T · Beta(x, N − x + 1). With `roundTo` (e.g. 1/7 week, like daily logs) T is drawn uniformly from the
    /// grid's points in [20, 78) and t_x is rounded to the nearest point: times repeat as in real logs, with as little
    /// distortion of the model as rounding allows.
    static func bgnbdCustomers(
        _ count: Int, r: Double, alpha: Double, a: Double, b: Double, seed: UInt64, roundTo grid: Double? = nil
    ) -> PurchaseHistories {
        var random = SplitMix64(seed: seed)
        var data = PurchaseHistories(frequency: [], recency: [], age: [])
        for _ in 0..<count {
            let lambda = random.gamma(shape: r) / alpha
            let p = random.beta(a, b)
            let uniform = random.uniform()
            let age = grid.map { 20 + (58 * uniform / $0).rounded(.down) * $0 } ?? 20 + 58 * uniform
            let dropout = random.geometric(p)
            let purchases = random.poisson(lambda * age)
            let x = min(dropout, purchases)
            var recency = x > 0 ? age * random.beta(Double(x), Double(purchases - x + 1)) : 0
            if let grid { recency = min((recency / grid).rounded() * grid, age) }
            data.frequency.append(Double(x))
            data.recency.append(recency)
            data.age.append(age)
        }
        return data
    }

    /// Gamma-Gamma customers: x ~ 1 + Poisson(2), ν ~ Gamma(q, rate v), each transaction ~ Gamma(p, rate ν), so
    /// the sum of x of them is Gamma(px, rate ν); m = sum / x.
    static func spendCustomers(_ count: Int, p: Double, q: Double, v: Double, seed: UInt64) -> (
        frequency: [Double], averageValue: [Double]
    ) {
        var random = SplitMix64(seed: seed)
        var frequency: [Double] = []
        var average: [Double] = []
        for _ in 0..<count {
            let x = Double(1 + random.poisson(2))
            let nu = random.gamma(shape: q) / v
            frequency.append(x)
            average.append(random.gamma(shape: p * x) / nu / x)
        }
        return (frequency, average)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast and reproducible on every platform.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A non-negative Int (the top 63 bits), for picking test values with `%`.
    mutating func nextInt() -> Int { Int(truncatingIfNeeded: next() >> 1) }

    /// Uniform on (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000); shapes below 1 through Gamma(shape + 1) · U^(1/shape).
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * pow(uniform(), 1 / shape) }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let z = normal()
            let v = pow(1 + c * z, 3)
            guard v > 0 else { continue }
            if log(uniform()) < 0.5 * z * z + d - d * v + d * log(v) { return d * v }
        }
    }

    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a)
        return x / (x + gamma(shape: b))
    }

    /// Poisson(mean) by counting unit-rate arrivals, 30 time units at a time (exact, O(mean)).
    mutating func poisson(_ mean: Double) -> Int {
        var remaining = mean
        var count = 0
        while remaining > 0 {
            let span = min(remaining, 30)
            var product = uniform()
            let limit = exp(-span)
            while product > limit {
                count += 1
                product *= uniform()
            }
            remaining -= span
        }
        return count
    }

    /// Geometric(p) on {1, 2, …}: the number of trials up to the first success.
    mutating func geometric(_ p: Double) -> Int {
        guard p < 1 else { return 1 }
        let trials = (log(uniform()) / log1p(-p)).rounded(.down)
        return 1 + Int(min(trials, 1e15))
    }
}

/// |actual − expected| ≤ tolerance · |expected|.
func relativelyClose(_ actual: Double, _ expected: Double, _ tolerance: Double) -> Bool {
    abs(actual - expected) <= tolerance * abs(expected)
}
