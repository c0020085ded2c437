/// The per-customer summary the models read, as in the BG/NBD paper: purchases are counted by day (several
/// transactions of one customer on one day are one purchase); x = repeat purchase days up to the calibration end,
/// t_x = time from the first to the last of them, T = time from the first purchase to the calibration end, in the
/// time unit. Monetary = the average money of the repeat purchase days (the first purchase is left out, as the
/// Gamma-Gamma model expects). Customers whose first purchase is after the calibration end are not in it.
public struct ModelInputs: Sendable {
    /// Customer numbers of the log, one per row here.
    public var customers: [Int32] = []
    public var histories = PurchaseHistories(frequency: [], recency: [], age: [])
    /// Average money of a repeat purchase day (0 without repeats or without money).
    public var monetary: [Double] = []
    /// First purchase day of each customer (for the tracking curve).
    public var firstDay: [Int32] = []
    /// Repeat purchase days after the calibration end, per customer (the holdout's actual purchases).
    public var holdoutPurchases: [Int32] = []
    public var calibrationEnd: Int
    public var unitDays: Double

    public init(log: TransactionLog, calibrationEnd: Int, unitDays: Double) {
        self.calibrationEnd = calibrationEnd
        self.unitDays = unitDays
        let count = log.customerCount
        customers.reserveCapacity(count)
        histories.frequency.reserveCapacity(count)
        histories.recency.reserveCapacity(count)
        histories.age.reserveCapacity(count)
        monetary.reserveCapacity(count)
        for customer in 0..<count {
            let start = log.offsets[customer]
            let end = log.offsets[customer + 1]
            let first = Int(log.day[start])
            guard first <= calibrationEnd else { continue }
            var days = 0
            var last = first
            var repeatMoney: Int64 = 0
            var holdout: Int32 = 0
            var previous = Int.min
            for index in start..<end {
                let day = Int(log.day[index])
                if day > calibrationEnd {
                    if day != previous { holdout += 1 }
                } else {
                    if day != previous { days += 1 }
                    last = day
                    if day != first && log.hasMoney { repeatMoney &+= log.amount[index] }
                }
                previous = day
            }
            customers.append(Int32(customer))
            firstDay.append(Int32(first))
            histories.frequency.append(Double(days - 1))
            histories.recency.append(Double(last - first) / unitDays)
            histories.age.append(Double(calibrationEnd - first) / unitDays)
            monetary.append(days > 1 ? TransactionLog.units(repeatMoney) / Double(days - 1) : 0)
            holdoutPurchases.append(holdout)
        }
    }

    public var count: Int { customers.count }
}
