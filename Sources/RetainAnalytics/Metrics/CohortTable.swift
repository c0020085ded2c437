/// Acquisition cohorts: customers grouped by the period of their first purchase, followed period by period.
/// Row c, column k: customers of cohort c who bought in period c + k ("returned in period k"), and who bought in
/// period c + k or any later one ("returned in or after period k"); column 0 is the cohort's size. A cell whose
/// period is after the end of the log is censored (nil): nobody could have bought there yet. A cell of the
/// period that holds the end of the log is observed but may be incomplete (`lastPeriodPartial`).
public struct CohortTable: Sendable, Codable, Equatable {
    public var unit: PeriodUnit
    public var lastPeriodPartial: Bool
    public var cohorts: [Cohort]

    public struct Cohort: Sendable, Codable, Equatable {
        public var label: String
        public var size: Int
        /// Customers who bought in period k after the cohort's own.
        public var returnedIn: [Int?]
        /// Customers who bought in period k or later.
        public var returnedInOrAfter: [Int?]
        /// Revenue of the cohort's customers in period k (nil without money or when censored).
        public var revenue: [Double?]
        /// Shares of the cohort (returnedIn ÷ size).
        public var retention: [Double?] {
            returnedIn.map { cell in cell.map { size == 0 ? 0 : Double($0) / Double(size) } }
        }
    }

    public init(log: TransactionLog, stats: CustomerStats, unit: PeriodUnit) {
        self.unit = unit
        cohorts = []
        lastPeriodPartial = false
        guard log.customerCount > 0 else { return }
        let first = unit.index(ofDay: log.firstDay)
        let last = unit.index(ofDay: log.lastDay)
        lastPeriodPartial = unit.lastDay(ofPeriod: last) > log.lastDay
        let width = last - first + 1
        let firstDay = log.firstDay
        var periodOfDay = [Int32](repeating: 0, count: log.lastDay - firstDay + 1)
        for offset in periodOfDay.indices { periodOfDay[offset] = Int32(unit.index(ofDay: firstDay + offset) - first) }
        var counts = [Int](repeating: 0, count: width * width)
        var lastOffsetCounts = [Int](repeating: 0, count: width * width)
        var money = [Int64](repeating: 0, count: width * width)
        for customer in 0..<log.customerCount {
            let range = log.offsets[customer]..<log.offsets[customer + 1]
            let cohort = Int(periodOfDay[Int(log.day[range.lowerBound]) - firstDay])
            var previous = -1
            for index in range {
                let k = Int(periodOfDay[Int(log.day[index]) - firstDay]) - cohort
                if k != previous {
                    counts[cohort * width + k] += 1
                    previous = k
                }
                if log.hasMoney { money[cohort * width + k] &+= log.amount[index] }
            }
            lastOffsetCounts[cohort * width + previous] += 1
        }
        for (index, day) in log.adjustmentDay.enumerated() {
            let customer = Int(log.adjustmentCustomer[index])
            let cohort = Int(periodOfDay[Int(stats.firstDay[customer]) - firstDay])
            let k = max(
                0, min(Int(periodOfDay[min(max(Int(day) - firstDay, 0), periodOfDay.count - 1)]) - cohort, width - 1))
            money[cohort * width + k] &+= log.adjustmentAmount[index]
        }
        for cohort in 0..<width {
            let size = counts[cohort * width]
            guard size > 0 else { continue }
            let observed = width - cohort
            var inOrAfter = [Int?](repeating: nil, count: width)
            var running = 0
            for k in stride(from: observed - 1, through: 0, by: -1) {
                running += lastOffsetCounts[cohort * width + k]
                inOrAfter[k] = running
            }
            cohorts.append(
                Cohort(
                    label: unit.label(ofPeriod: first + cohort), size: size,
                    returnedIn: (0..<width).map { $0 < observed ? counts[cohort * width + $0] : nil },
                    returnedInOrAfter: inOrAfter,
                    revenue: (0..<width).map {
                        log.hasMoney && $0 < observed ? TransactionLog.units(money[cohort * width + $0]) : nil
                    }))
        }
    }
}
