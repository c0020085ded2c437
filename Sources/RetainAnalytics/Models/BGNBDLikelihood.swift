import Foundation
import RealModule

/// The BG/NBD log-likelihood of a whole data set with its gradient and Hessian, arranged for speed.
///
/// Per customer, eq. (6) of Fader, Hardie & Lee (2005) is LL = G(x) + r ln α − (r + x) ln(α + T) + softplus(d), with
/// G(x) = ln Γ(r + x) − ln Γ(r) + ln B(a, b + x) − ln B(a, b) and d = ln a − ln(b + x − 1) + (r + x) ln((α + T)/(α + t_x))
/// (the log of A₄/A₃; only for x > 0). So:
/// - everything that depends only on x (the log-gammas, ln(b + x − 1)) is computed once per distinct x;
/// - customers with x = 0 contribute r ln(α/(α + T)) only, and are summed per distinct T when T repeats;
/// - ln(α + T), ln(α + t_x) are computed once per distinct value when the data has few (daily logs do);
/// - the gradient and Hessian reuse the softplus weight s = σ(d) (the posterior probability of A₄'s branch).
struct BGNBDLikelihood: Sendable {
    /// One time per customer, or an index per customer into a short table of the distinct times.
    enum Times: Sendable {
        case each([Double])
        case indexed(values: [Double], index: [Int32])
    }

    /// The total log-likelihood and its derivatives in the natural parameters (r, α, a, b).
    struct Evaluation {
        var value: Double
        var gradient: [Double]
        var hessian: [[Double]]?
    }

    let customers: Int
    /// Distinct repeat counts x > 0, and how many customers have each.
    let counts: [Double]
    let customersWithCount: [Double]
    /// Per repeat buyer: index into `counts`, age T and recency t_x.
    let group: [Int32]
    let repeatAges: Times
    let repeatRecencies: Times
    /// Ages of the customers without repeat purchases, with how many customers share each.
    let zeroAges: [Double]
    let zeroWeights: [Double]?
    /// Mean age and mean repeat count, for a starting point.
    let meanAge: Double
    let meanCount: Double

    /// Checks and arranges the data; throws when it cannot support a fit.
    init(_ data: PurchaseHistories) throws(ModelFitError) {
        let n = data.frequency.count
        guard data.recency.count == n, data.age.count == n else {
            throw .mismatchedLengths(frequency: n, recency: data.recency.count, age: data.age.count)
        }
        // Four parameters from a handful of customers would be noise presented as a forecast.
        guard n >= 20 else { throw .tooFewCustomers(model: "BG/NBD", count: n, minimum: 20) }
        guard let (repeatBuyers, maximumCount, identical) = Self.scan(data) else {
            try Self.reportFirstInvalid(data)
            throw .invalidValue(column: "frequency", customer: 0, value: .nan, reason: "unreadable")
        }
        guard repeatBuyers > 0 else { throw .noRepeatPurchases(customers: n) }
        guard !identical else { throw .identicalHistories(model: "BG/NBD", customers: n) }

        let frequency = data.frequency
        let recency = data.recency
        let age = data.age
        var slotOfCount = [Int32](repeating: -1, count: maximumCount + 1)
        var counts: [Double] = []
        var group = [Int32](repeating: 0, count: repeatBuyers)
        var ages = [Double](repeating: 0, count: repeatBuyers)
        var recencies = [Double](repeating: 0, count: repeatBuyers)
        var zeroAges = [Double](repeating: 0, count: n - repeatBuyers)
        var next = 0
        var nextZero = 0
        var ageSum = 0.0
        for i in 0..<n {
            let x = frequency[i]
            ageSum += age[i]
            guard x > 0 else {
                zeroAges[nextZero] = age[i]
                nextZero += 1
                continue
            }
            let count = Int(x)
            if slotOfCount[count] < 0 {
                slotOfCount[count] = Int32(counts.count)
                counts.append(x)
            }
            group[next] = slotOfCount[count]
            ages[next] = age[i]
            recencies[next] = recency[i]
            next += 1
        }
        var customersWithCount = [Double](repeating: 0, count: counts.count)
        for slot in group { customersWithCount[Int(slot)] += 1 }
        customers = n
        self.counts = counts
        self.customersWithCount = customersWithCount
        self.group = group
        meanAge = ageSum / Double(n)
        meanCount = zip(counts, customersWithCount).reduce(0) { $0 + $1.0 * $1.1 } / Double(n)
        let limit = max(16, min(1 << 16, repeatBuyers / 4))
        repeatAges =
            DistinctValues.index(ages, limit: limit).map { .indexed(values: $0.values, index: $0.index) }
            ?? .each(ages)
        repeatRecencies =
            DistinctValues.index(recencies, limit: limit).map { .indexed(values: $0.values, index: $0.index) }
            ?? .each(recencies)
        if let distinct = DistinctValues.index(zeroAges, limit: max(16, min(1 << 16, zeroAges.count / 4))) {
            var weights = [Double](repeating: 0, count: distinct.values.count)
            for slot in distinct.index { weights[Int(slot)] += 1 }
            self.zeroAges = distinct.values
            zeroWeights = weights
        } else {
            self.zeroAges = zeroAges
            zeroWeights = nil
        }
    }

    /// One fast pass over the columns: nil if any value is impossible, else the number of repeat buyers, the largest
    /// x and whether all histories are the same.
    private static func scan(_ data: PurchaseHistories) -> (Int, Int, Bool)? {
        data.frequency.withUnsafeBufferPointer { frequency in
            data.recency.withUnsafeBufferPointer { recency in
                data.age.withUnsafeBufferPointer { age in
                    var repeatBuyers = 0
                    var maximumCount = 0.0
                    var valid = true
                    var identical = true
                    let (x0, t0, age0) = (frequency[0], frequency[0] > 0 ? recency[0] : 0, age[0])
                    for i in 0..<frequency.count {
                        let (x, t, customerAge) = (frequency[i], recency[i], age[i])
                        // Comparisons with NaN are false, so NaN fails every test below.
                        let whole = x >= 0 && x <= 10_000_000 && Double(Int(x)) == x
                        valid =
                            valid && whole && customerAge >= 0 && customerAge < .infinity && t >= 0
                            && (t <= customerAge || (x == 0 && t.isFinite))
                        repeatBuyers += x > 0 ? 1 : 0
                        maximumCount = max(maximumCount, x)
                        identical = identical && x == x0 && (x == 0 || t == t0) && customerAge == age0
                    }
                    return valid ? (repeatBuyers, Int(maximumCount), identical) : nil
                }
            }
        }
    }

    /// Throws for the first impossible value, saying what is wrong with it.
    private static func reportFirstInvalid(_ data: PurchaseHistories) throws(ModelFitError) {
        for i in data.frequency.indices {
            let (x, t, age) = (data.frequency[i], data.recency[i], data.age[i])
            guard x.isFinite, x >= 0, x == x.rounded(), x <= 10_000_000 else {
                throw .invalidValue(
                    column: "frequency", customer: i, value: x,
                    reason: "a count of repeat purchases is a whole number from 0 (a customer who bought once) up")
            }
            guard age.isFinite, age >= 0 else {
                throw .invalidValue(
                    column: "age", customer: i, value: age,
                    reason: "the time since the first purchase is a finite number, 0 or more")
            }
            guard t.isFinite, t >= 0, t <= age || x == 0 else {
                throw .invalidValue(
                    column: "recency", customer: i, value: t,
                    reason: "the time from the first to the last purchase is finite and lies between 0 and the "
                        + "customer's age (\(age))")
            }
        }
    }
}

/// The distinct values of a column and each row's index among them, by open addressing on the bit patterns.
enum DistinctValues {
    /// Nil when there are more than `limit` distinct values (the caller then keeps one value per row).
    static func index(_ values: [Double], limit: Int) -> (values: [Double], index: [Int32])? {
        var bits = 10
        var keys = [UInt64](repeating: 0, count: 1 << bits)
        var slots = [Int32](repeating: -1, count: 1 << bits)
        var distinct: [Double] = []
        var index = [Int32](repeating: 0, count: values.count)
        for (row, value) in values.enumerated() {
            let key = value.bitPattern
            var position = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
            while slots[position] >= 0 && keys[position] != key { position = (position + 1) & ((1 << bits) - 1) }
            if slots[position] < 0 {
                // Continuous times are almost all distinct: give up early rather than hash them all. (A daily log
                // with a few thousand distinct days in random order is still below 3/4 new values at row 4096.)
                guard distinct.count < limit, row < 4096 || 4 * distinct.count < 3 * row else { return nil }
                slots[position] = Int32(distinct.count)
                keys[position] = key
                distinct.append(value)
                if 2 * distinct.count > 1 << bits {  // keep the table at most half full
                    bits += 1
                    keys = [UInt64](repeating: 0, count: 1 << bits)
                    slots = [Int32](repeating: -1, count: 1 << bits)
                    for (slot, value) in distinct.enumerated() {
                        let key = value.bitPattern
                        var p = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
                        while slots[p] >= 0 { p = (p + 1) & ((1 << bits) - 1) }
                        slots[p] = Int32(slot)
                        keys[p] = key
                    }
                    index[row] = Int32(distinct.count - 1)
                    continue
                }
            }
            index[row] = slots[position]
        }
        return (distinct, index)
    }
}
