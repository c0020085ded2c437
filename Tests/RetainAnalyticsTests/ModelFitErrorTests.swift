import Foundation
import Testing

@testable import RetainAnalytics

@Suite("models refuse data that cannot support a fit")
struct ModelFitErrorTests {
    static func histories(_ rows: [(Double, Double, Double)]) -> PurchaseHistories {
        PurchaseHistories(frequency: rows.map(\.0), recency: rows.map(\.1), age: rows.map(\.2))
    }

    /// The rows followed by 20 valid, varied ones, so the check under test is reached past the minimum size.
    static func padded(_ rows: [(Double, Double, Double)]) -> PurchaseHistories {
        histories(rows + varied(20))
    }

    /// `count` valid histories: 0–2 repeats, recency = repeats, ages 10, 11, …
    static func varied(_ count: Int) -> [(Double, Double, Double)] {
        var rows: [(Double, Double, Double)] = []
        for index in 0..<count { rows.append((Double(index % 3), Double(index % 3), 10 + Double(index))) }
        return rows
    }

    static func oneTimeBuyers(_ count: Int) -> [(Double, Double, Double)] {
        var rows: [(Double, Double, Double)] = []
        for index in 0..<count { rows.append((0, 0, 5 + Double(index))) }
        return rows
    }

    static let cases: [(String, PurchaseHistories, @Sendable (ModelFitError) -> Bool)] = [
        ("empty", histories([]), { if case .tooFewCustomers(_, 0, _) = $0 { true } else { false } }),
        ("one customer", histories([(2, 5, 10)]), { if case .tooFewCustomers(_, 1, _) = $0 { true } else { false } }),
        (
            "19 customers", histories(varied(19)),
            { if case .tooFewCustomers(_, 19, 20) = $0 { true } else { false } }
        ),
        (
            "no repeat buyers", histories(oneTimeBuyers(25)),
            { if case .noRepeatPurchases(25) = $0 { true } else { false } }
        ),
        (
            "one day for all", histories(Array(repeating: (0, 0, 0), count: 50)),
            { if case .noRepeatPurchases = $0 { true } else { false } }
        ),
        (
            "identical histories", histories(Array(repeating: (2, 5, 10), count: 100)),
            { if case .identicalHistories = $0 { true } else { false } }
        ),
        (
            "NaN age", padded([(1, 1, 10), (0, 0, .nan), (2, 3, 4)]),
            { if case .invalidValue("age", 1, _, _) = $0 { true } else { false } }
        ),
        (
            "recency after age", padded([(1, 1, 10), (1, 12, 11), (2, 3, 4)]),
            { if case .invalidValue("recency", 1, _, _) = $0 { true } else { false } }
        ),
        (
            "fractional frequency", padded([(1, 1, 10), (1.5, 2, 11), (2, 3, 4)]),
            { if case .invalidValue("frequency", 1, _, _) = $0 { true } else { false } }
        ),
        (
            "infinite frequency", padded([(1, 1, 10), (.infinity, 2, 11), (2, 3, 4)]),
            { if case .invalidValue("frequency", 1, _, _) = $0 { true } else { false } }
        ),
        (
            "columns of different lengths", PurchaseHistories(frequency: [1, 2, 3], recency: [1, 2], age: [5, 5, 5]),
            { if case .mismatchedLengths = $0 { true } else { false } }
        ),
    ]

    @Test("BG/NBD: a clear error for each kind of unusable data", arguments: 0..<cases.count)
    func purchaseModel(index: Int) {
        let (name, data, matches) = Self.cases[index]
        do {
            let model = try BGNBDModel.fit(data)
            Issue.record("\(name): fitted \(model) instead of refusing")
        } catch let error as ModelFitError {
            #expect(matches(error), "\(name): \(error)")
            #expect(error.description.count > 30, "\(name): \(error)")
        } catch {
            Issue.record("\(name): unexpected \(error)")
        }
    }

    @Test("BG/NBD on tiny random data sets: a model with finite parameters or a ModelFitError, never a crash")
    func tinyDataSets() {
        var random = SplitMix64(seed: 99)
        for trial in 0..<300 {
            let count = 3 + Int(random.next() % 6)
            var rows: [(Double, Double, Double)] = []
            for _ in 0..<count {
                let age = Double(random.next() % 40)
                let x = random.next() % 3 == 0 ? 0 : Double(random.next() % 5)
                let tx = x > 0 ? (age * random.uniform()).rounded(.down) : 0
                rows.append((x, tx, age))
            }
            do {
                let model = try BGNBDModel.fit(Self.histories(rows))
                let values =
                    [model.r, model.alpha, model.a, model.b, model.logLikelihood] + model.standardErrors.values
                let finite = values.allSatisfy { $0.isFinite }
                #expect(finite, "trial \(trial): \(rows) gave \(model)")
            } catch let error as ModelFitError {
                #expect(!error.description.isEmpty)
            } catch {
                Issue.record("trial \(trial): unexpected \(error)")
            }
        }
    }

    @Test("BG/NBD: customers who all drop out alike are refused in words, not predicted as -∞")
    func sameDropoutForEveryone() throws {
        // 60 customers buying 1–5 times at a steady pace, every 17–23 days: nothing tells them apart in how likely
        // they are to stop, so a and b run off together (a/(a + b) ≈ 0.29).
        var first: [Int] = []
        var last: [Int] = []
        var counts: [Int] = []
        for customer in 0..<60 {
            let purchases = customer % 5 + 1
            first.append((3 * customer) % 90)
            last.append(first[customer] + (purchases - 1) * (17 + customer % 7))
            counts.append(purchases)
        }
        let end = Double(last.max()!)
        let data = PurchaseHistories(
            frequency: counts.map { Double($0 - 1) }, recency: zip(first, last).map { Double($1 - $0) / 7 },
            age: first.map { (end - Double($0)) / 7 })
        #expect {
            try BGNBDModel.fit(data)
        } throws: { error in
            guard case .sameDropoutForEveryone(let a, let b) = error as? ModelFitError else { return false }
            return a > 1e4 && b > 1e4 && "\(error)".contains("no difference between customers")
        }
    }

    @Test("Gamma-Gamma: a clear error for each kind of unusable data")
    func spendModel() {
        let cases: [(String, [Double], [Double])] = [
            ("empty", [], []),
            ("two spenders", [1, 2, 0, 0], [10, 20, 5, 0]),
            ("no repeat buyers", [0, 0, 0, 0], [10, 20, 30, 40]),
            ("identical averages", [1, 2, 3, 4], [10, 10, 10, 10]),
            ("NaN average", [1, 2, 3, 4], [10, .nan, 10, 12]),
            ("negative frequency", [1, -2, 3, 4], [10, 11, 10, 12]),
            ("columns of different lengths", [1, 2, 3], [10, 11]),
        ]
        for (name, frequency, value) in cases {
            do {
                let model = try GammaGammaModel.fit(frequency: frequency, averageValue: value)
                Issue.record("\(name): fitted \(model) instead of refusing")
            } catch let error as ModelFitError {
                #expect(error.description.count > 30, "\(name): \(error)")
            } catch {
                Issue.record("\(name): unexpected \(error)")
            }
        }
    }
}
