/// Metrics per period of a grid (week, month, quarter, year). Retention follows PRODUCT.md: over a period
/// (t0, t1], CRR = (E − N) ÷ S, where S = customers active at t0, E = active at t1, N = customers whose first
/// purchase falls in (t0, t1], and "active at t" = bought in the activity window (t − W, t]. Churn = 1 − CRR.
/// Revenue churn = revenue of the previous period from customers who did not buy in this period ÷ revenue of the
/// previous period. Rates are fractions (0.25 = 25%).
public struct PeriodMetrics: Sendable, Codable, Equatable {
    public var unit: PeriodUnit
    public var activityWindowDays: Int
    public var periods: [Period]

    public struct Period: Sendable, Codable, Equatable {
        public var label: String
        public var firstDay: String
        public var lastDay: String
        /// The log ends before the period does.
        public var partial: Bool
        /// Customers who bought in the period.
        public var customers: Int
        public var newCustomers: Int
        public var returningCustomers: Int
        public var transactions: Int
        public var revenue: Double?
        public var averageOrderValue: Double?
        /// Active at the period's start (t0) and end (t1), with the activity window.
        public var activeAtStart: Int
        public var activeAtEnd: Int
        public var retentionRate: Double?
        public var churnRate: Double?
        public var revenueChurn: Double?
    }

    public init(log: TransactionLog, unit: PeriodUnit, activityWindowDays: Int) {
        self.unit = unit
        self.activityWindowDays = activityWindowDays
        periods = []
        guard log.customerCount > 0 else { return }
        let first = unit.index(ofDay: log.firstDay)
        let last = unit.index(ofDay: log.lastDay)
        let count = last - first + 1
        let ends = (0..<count).map { unit.lastDay(ofPeriod: first + $0) }
        var customers = [Int](repeating: 0, count: count)
        var newCustomers = [Int](repeating: 0, count: count)
        var transactions = [Int](repeating: 0, count: count)
        var revenue = [Int64](repeating: 0, count: count)
        var lostRevenue = [Int64](repeating: 0, count: count)
        // active[i] = customers active at the end of period i (i = −1 is the end of the period before the log).
        var activeDelta = [Int](repeating: 0, count: count + 2)
        // Per day of the log: its period, and the last period whose end still sees a purchase that day as active.
        let firstDay = log.firstDay
        let span = log.lastDay - firstDay + 1
        var periodOfDay = [Int32](repeating: 0, count: span)
        var lastSeen = [Int32](repeating: 0, count: span)
        var cursor = 0
        for offset in 0..<span {
            let day = firstDay + offset
            while ends[cursor] < day { cursor += 1 }
            periodOfDay[offset] = Int32(cursor)
            var to = cursor
            while to + 1 < count && ends[to + 1] <= day + activityWindowDays - 1 { to += 1 }
            if ends[cursor] > day + activityWindowDays - 1 { to = cursor - 1 }
            lastSeen[offset] = Int32(to)
        }
        var ownPeriods: [(period: Int, revenue: Int64)] = []
        for customer in 0..<log.customerCount {
            ownPeriods.removeAll(keepingCapacity: true)
            var markedUpTo = -2
            for index in log.offsets[customer]..<log.offsets[customer + 1] {
                let offset = Int(log.day[index]) - firstDay
                let p = Int(periodOfDay[offset])
                transactions[p] += 1
                let money = log.hasMoney ? log.amount[index] : 0
                revenue[p] &+= money
                if ownPeriods.last?.period == p {
                    ownPeriods[ownPeriods.count - 1].revenue &+= money
                } else {
                    ownPeriods.append((p, money))
                }
                // The ends of periods p … lastSeen see this customer as active; count each period once.
                let from = max(p, markedUpTo + 1)
                let to = Int(lastSeen[offset])
                if from <= to {
                    activeDelta[from + 1] += 1
                    activeDelta[to + 2] -= 1
                    markedUpTo = to
                }
            }
            newCustomers[ownPeriods[0].period] += 1
            for (position, own) in ownPeriods.enumerated() {
                customers[own.period] += 1
                let next = position + 1 < ownPeriods.count ? ownPeriods[position + 1].period : Int.max
                if next != own.period + 1 && own.period + 1 < count { lostRevenue[own.period + 1] &+= own.revenue }
            }
        }
        for (index, day) in log.adjustmentDay.enumerated() {
            let offset = min(max(Int(day) - firstDay, 0), span - 1)  // a return after the last purchase of the log
            revenue[Int(periodOfDay[offset])] &+= log.adjustmentAmount[index]
        }
        var active = [Int](repeating: 0, count: count + 1)  // active[i + 1] = at the end of period i
        var running = 0
        for position in 0...count {
            running += activeDelta[position]
            active[position] = running
        }
        for position in 0..<count {
            let start = active[position]
            let end = active[position + 1]
            let retention = start == 0 ? nil : Double(end - newCustomers[position]) / Double(start)
            let previousRevenue = position == 0 ? 0 : revenue[position - 1]
            periods.append(
                Period(
                    label: unit.label(ofPeriod: first + position),
                    firstDay: CivilDay.text(unit.firstDay(ofPeriod: first + position)),
                    lastDay: CivilDay.text(ends[position]), partial: ends[position] > log.lastDay,
                    customers: customers[position], newCustomers: newCustomers[position],
                    returningCustomers: customers[position] - newCustomers[position],
                    transactions: transactions[position],
                    revenue: log.hasMoney ? TransactionLog.units(revenue[position]) : nil,
                    averageOrderValue: log.hasMoney && transactions[position] > 0
                        ? TransactionLog.units(revenue[position]) / Double(transactions[position]) : nil,
                    activeAtStart: start, activeAtEnd: end, retentionRate: retention,
                    churnRate: retention.map { 1 - $0 },
                    revenueChurn: log.hasMoney && position > 0 && previousRevenue > 0
                        ? Double(lostRevenue[position]) / Double(previousRevenue) : nil))
        }
    }

    /// CRR over the last 365 days of the log with a 365-day window, when the log covers two years: the yearly
    /// retention behind the simple CLV's expected lifetime.
    public static func yearlyRetention(log: TransactionLog) -> Double? {
        let end = log.lastDay
        guard log.customerCount > 0, end - log.firstDay + 1 >= 730 else { return nil }
        let t0 = end - 365
        var start = 0
        var atEnd = 0
        var new = 0
        for customer in 0..<log.customerCount {
            let range = log.offsets[customer]..<log.offsets[customer + 1]
            if Int(log.day[range.lowerBound]) > t0 { new += 1 }
            var activeStart = false
            var activeEnd = false
            for index in range {
                let day = Int(log.day[index])
                if day > t0 - 365 && day <= t0 { activeStart = true }
                if day > end - 365 { activeEnd = true }
            }
            if activeStart { start += 1 }
            if activeEnd { atEnd += 1 }
        }
        return start == 0 ? nil : Double(atEnd - new) / Double(start)
    }
}
