import Foundation

/// Per-customer totals of a log in columns, computed once and shared by the summary, RFM and the models.
public struct CustomerStats: Sendable {
    public var firstDay: [Int32]
    public var lastDay: [Int32]
    /// Transactions (after the cleaning rules).
    public var transactions: [Int32]
    /// Distinct purchase days: the models' transactions (x + 1).
    public var purchaseDays: [Int32]
    /// Revenue in 1/10,000 of the currency unit, returns netted in when the rules say so.
    public var revenue: [Int64]
    /// Money of the first purchase day (the Gamma-Gamma model averages the repeat days only).
    public var firstDayRevenue: [Int64]

    public var count: Int { firstDay.count }

    public init(_ log: TransactionLog) {
        let customers = log.customerCount
        let firstDay = SharedColumn<Int32>(count: customers, value: 0)
        let lastDay = SharedColumn<Int32>(count: customers, value: 0)
        let transactions = SharedColumn<Int32>(count: customers, value: 0)
        let purchaseDays = SharedColumn<Int32>(count: customers, value: 0)
        let revenue = SharedColumn<Int64>(count: customers, value: 0)
        let firstDayRevenue = SharedColumn<Int64>(count: customers, value: 0)
        let hasMoney = log.hasMoney
        Parallel.chunks(customers) { range in
            log.day.withUnsafeBufferPointer { days in
                log.amount.withUnsafeBufferPointer { amounts in
                    for customer in range {
                        let start = log.offsets[customer]
                        let end = log.offsets[customer + 1]
                        firstDay[customer] = days[start]
                        lastDay[customer] = days[end - 1]
                        transactions[customer] = Int32(end - start)
                        var distinct: Int32 = 0
                        var total: Int64 = 0
                        var first: Int64 = 0
                        var previous = Int32.min
                        for index in start..<end {
                            if days[index] != previous {
                                distinct += 1
                                previous = days[index]
                            }
                            if hasMoney {
                                total &+= amounts[index]
                                if days[index] == days[start] { first &+= amounts[index] }
                            }
                        }
                        purchaseDays[customer] = distinct
                        revenue[customer] = total
                        firstDayRevenue[customer] = first
                    }
                }
            }
        }
        for (index, customer) in log.adjustmentCustomer.enumerated() {
            revenue[Int(customer)] &+= log.adjustmentAmount[index]
        }
        self.firstDay = firstDay.array
        self.lastDay = lastDay.array
        self.transactions = transactions.array
        self.purchaseDays = purchaseDays.array
        self.revenue = revenue.array
        self.firstDayRevenue = firstDayRevenue.array
    }
}

/// A column written from several threads, each to its own indices, then copied out as an array.
final class SharedColumn<Element>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<Element>

    init(count: Int, value: Element) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: value)
    }

    deinit {
        pointer.deinitialize()
        pointer.deallocate()
    }

    subscript(index: Int) -> Element {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    var array: [Element] { Array(pointer) }
}

/// Work split over the machine's cores in contiguous ranges; each range writes only its own indices.
enum Parallel {
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    static func chunks(_ count: Int, minimum: Int = 50_000, _ body: (Range<Int>) -> Void) {
        // The body only writes through `SharedColumn`s and reads immutable arrays, so running it concurrently is safe.
        let parts = count < minimum * 2 ? 1 : min(cores, 8)
        guard parts > 1 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                shared.value((count * part / parts)..<(count * (part + 1) / parts))
            }
        }
    }
}
