import Foundation

/// Fits BG/NBD and Gamma-Gamma, predicts for every customer, checks the fit against a holdout when asked, and
/// builds the at-risk list.
struct ModelRun {
    var report: ModelsReport
    var calibration: HoldoutComparison?
    var atRisk: [AtRiskCustomer] = []
    var notes: [String] = []

    init(
        log: TransactionLog, stats: CustomerStats, rfm: RFMScores, options: AnalysisOptions,
        table: inout CustomerTable, phase: (String) -> Void
    ) {
        let unit = options.timeUnit.days
        let endDay = log.lastDay
        let calibrationEnd = min(options.calibrationEnd ?? endDay, endDay)
        report = ModelsReport(
            timeUnit: options.timeUnit, horizon: options.horizonUnits, discountRate: options.discountRate,
            margin: options.margin, customers: 0)
        phase("fitting BG/NBD")
        let fitInputs = ModelInputs(log: log, calibrationEnd: calibrationEnd, unitDays: unit)
        report.customers = fitInputs.count
        var purchaseModel: BGNBDModel?
        do {
            purchaseModel = try BGNBDModel.fit(fitInputs.histories)
            notes += purchaseModel!.notes.map { "BG/NBD: " + $0 }
        } catch {
            report.bgnbdError = "\(error)"
            notes.append("The purchase model was not fitted: \(error)")
        }
        var spendModel: GammaGammaModel?
        if log.hasMoney {
            phase("fitting Gamma-Gamma")
            do {
                spendModel = try GammaGammaModel.fit(
                    frequency: fitInputs.histories.frequency, averageValue: fitInputs.monetary)
            } catch {
                report.gammaGammaError = "\(error)"
                notes.append("The spend model was not fitted: \(error)")
            }
        }
        report.bgnbd = purchaseModel
        report.gammaGamma = spendModel
        if options.calibrationEnd != nil, let purchaseModel {
            phase("holdout comparison")
            calibration = Self.holdout(log: log, fitInputs, model: purchaseModel, endDay: endDay, unit: unit)
        }

        // Per-customer predictions from each customer's whole history.
        phase("predicting for every customer")
        let current =
            options.calibrationEnd == nil ? fitInputs : ModelInputs(log: log, calibrationEnd: endDay, unitDays: unit)
        let count = log.customerCount
        table.frequency = current.histories.frequency
        table.recency = current.histories.recency
        table.age = current.histories.age
        table.monetary = current.monetary
        guard let purchaseModel else {
            table.probabilityAlive = Array(repeating: nil, count: count)
            table.expectedPurchases = Array(repeating: nil, count: count)
            table.expectedSpend = Array(repeating: nil, count: count)
            table.clv = Array(repeating: nil, count: count)
            return
        }
        let horizon = options.horizonUnits
        let alive = SharedColumn<Double>(count: count, value: 0)
        let purchases = SharedColumn<Double>(count: count, value: 0)
        let spend = SharedColumn<Double>(count: count, value: .nan)
        let value = SharedColumn<Double>(count: count, value: .nan)
        let histories = current.histories
        let monetary = current.monetary
        let steps = max(1, Int((horizon * unit / 30.4375).rounded()))  // monthly discounting steps
        Parallel.chunks(count, minimum: 20_000) { range in
            // Expected purchases if active, plain and discounted, per (x, T): shared by most customers of a daily log.
            var shared: [SharedKey: (purchases: Double, discountedPurchases: Double)] = [:]
            for customer in range {
                let x = histories.frequency[customer]
                let tx = histories.recency[customer]
                let age = histories.age[customer]
                let key = SharedKey(frequency: x, age: age)
                let ifActive =
                    shared[key]
                    ?? {
                        let value = CustomerValue.ifActive(
                            model: purchaseModel, frequency: x, age: age, horizon: horizon, steps: steps,
                            discountRate: options.discountRate, unitsPerYear: options.timeUnit.perYear)
                        shared[key] = value
                        return value
                    }()
                let probability = purchaseModel.probabilityAlive(frequency: x, recency: tx, age: age)
                alive[customer] = probability
                purchases[customer] = probability * ifActive.purchases
                if let spendModel {
                    let average = spendModel.conditionalExpectedAverageValue(
                        frequency: x, averageValue: monetary[customer])
                    spend[customer] = average
                    value[customer] = (options.margin ?? 1) * average * probability * ifActive.discountedPurchases
                }
            }
        }
        // A prediction that is not a number is left empty rather than poisoning every total.
        table.probabilityAlive = alive.array.map { $0.isFinite ? $0 : nil }
        table.expectedPurchases = purchases.array.map { $0.isFinite ? $0 : nil }
        table.expectedSpend = spend.array.map { $0.isFinite ? $0 : nil }
        table.clv = value.array.map { $0.isFinite ? $0 : nil }
        report.expectedPurchases = table.expectedPurchases.reduce(0) { $0 + ($1 ?? 0) }
        let known = table.probabilityAlive.compactMap { $0 }
        report.meanProbabilityAlive = known.isEmpty ? nil : known.reduce(0, +) / Double(known.count)
        let unknown = count - table.expectedPurchases.compactMap { $0 }.count
        if unknown > 0 {
            notes.append("The purchase model gave no finite prediction for \(unknown) customers; they are left empty.")
        }
        if spendModel != nil {
            report.predictedCLV = table.clv.reduce(0) { $0 + ($1 ?? 0) }
            report.predictedRevenue = zip(table.expectedPurchases, table.expectedSpend).reduce(0) {
                $0 + ($1.0 ?? 0) * ($1.1 ?? 0)
            }
        }
        phase("at-risk list")
        atRisk = Self.atRisk(
            log: log, stats: stats, rfm: rfm, table: table, options: options, endDay: endDay)
    }

    /// Customers with the same repeat purchases and age share their expected purchases if active.
    struct SharedKey: Hashable {
        var frequency: Double
        var age: Double
    }

    static func holdout(
        log: TransactionLog, _ inputs: ModelInputs, model: BGNBDModel, endDay: Int, unit: Double
    ) -> HoldoutComparison {
        let length = Double(endDay - inputs.calibrationEnd) / unit
        var actual = 0
        var predicted = 0.0
        var rows = [(customers: Int, actual: Int, predicted: Double)](repeating: (0, 0, 0), count: 8)
        for index in 0..<inputs.count {
            let x = inputs.histories.frequency[index]
            let expected = model.conditionalExpectedPurchases(
                within: length, frequency: x, recency: inputs.histories.recency[index], age: inputs.histories.age[index]
            )
            let bucket = min(Int(x), 7)
            rows[bucket].customers += 1
            rows[bucket].actual += Int(inputs.holdoutPurchases[index])
            rows[bucket].predicted += expected
            actual += Int(inputs.holdoutPurchases[index])
            predicted += expected
        }
        // Tracking: cumulative repeat purchases at each step, against Σ over customers of E[X(t − first purchase)],
        // with customers grouped by their first day (the expectation is the same within a group).
        var firstCounts: [Int: Int] = [:]
        for day in inputs.firstDay { firstCounts[Int(day), default: 0] += 1 }
        let firsts = firstCounts.keys.sorted()
        let start = firsts.first ?? inputs.calibrationEnd
        let step = max(1, Int(unit))
        var tracking: [HoldoutComparison.TrackingPoint] = []
        // Repeat purchase days per day, for the actual curve (calibration and holdout).
        var counts = [Int](repeating: 0, count: max(0, endDay - start + 1))
        for customer in inputs.customers {
            var previous = -1
            for index in log.offsets[Int(customer)]..<log.offsets[Int(customer) + 1] {
                let day = Int(log.day[index])
                if previous >= 0 && day != previous { counts[day - start] += 1 }
                previous = day
            }
        }
        var cumulative = 0
        var day = start
        var countIndex = 0
        while day <= endDay {
            let next = min(day + step - 1, endDay)
            while countIndex < counts.count && start + countIndex <= next {
                cumulative += counts[countIndex]
                countIndex += 1
            }
            var expected = 0.0
            for first in firsts where first <= next {
                expected += Double(firstCounts[first]!) * model.expectedPurchases(within: Double(next - first) / unit)
            }
            tracking.append(.init(date: CivilDay.text(next), actual: cumulative, expected: expected))
            day = next + 1
        }
        return HoldoutComparison(
            calibrationEnd: CivilDay.text(inputs.calibrationEnd), holdoutEnd: CivilDay.text(endDay),
            holdoutLength: length, customers: inputs.count, actualRepeatPurchases: actual,
            predictedRepeatPurchases: predicted,
            byFrequency: rows.enumerated().map { bucket, row in
                .init(
                    frequency: bucket == 7 ? "7+" : "\(bucket)", customers: row.customers,
                    actualMean: row.customers == 0 ? 0 : Double(row.actual) / Double(row.customers),
                    predictedMean: row.customers == 0 ? 0 : row.predicted / Double(row.customers))
            }, tracking: tracking)
    }
}
