import Foundation
import Testing

@testable import RetainAnalytics

/// Reading logs of any layout and the cleaning rules, on small logs written here.
@Suite("Transaction logs")
struct TransactionLogTests {
    static func read(_ text: String, layout: TransactionLogLayout? = nil, rules: CleaningRules = CleaningRules())
        throws -> TransactionLog
    {
        try TransactionLog.read(Array(text.utf8), reader: TransactionLogReader(layout: layout), rules: rules)
    }

    @Test("a guessed layout is stated, and semicolons with decimal commas are read")
    func guessedLayout() throws {
        let log = try Self.read(
            """
            Client;Purchase Date;Total
            a;31.01.2024;12,50
            b;1.2.2024;3
            a;2.2.2024;"7,25"
            """)
        #expect(log.layout.source == "guessed from the header: customer = Client, date = Purchase Date, amount = Total")
        #expect(log.datePattern == "d.M.yyyy")
        #expect(log.customerCount == 2)
        #expect(log.customerID(0) == "a")
        #expect(log.day.map { CivilDay.text(Int($0)) } == ["2024-01-31", "2024-02-02", "2024-02-01"])
        #expect(log.amount == [125_000, 72_500, 30_000])
    }

    @Test("a header without customer or date names asks for a mapping")
    func noGuess() {
        #expect(throws: TransactionLogError.self) { try Self.read("x,y\n1,2\n") }
        let error = #expect(throws: TransactionLogError.self) {
            try Self.read("x,y\n1,2\n", layout: TransactionLogLayout(customer: "client", date: "y"))
        }
        #expect(error?.description.contains("no column \"client\"") == true)
    }

    @Test("rows whose date or money cannot be read are counted with line and column, the rest analysed")
    func unreadableRows() throws {
        let log = try Self.read(
            """
            customer_id,date,amount
            1,2024-01-01,10
            2,2024-13-01,10
            3,2024-01-02,ten
            4,2024-01-03,5
            """)
        #expect(log.customerCount == 2)
        #expect(log.quality.unreadableRows == 2)
        #expect(log.quality.unreadableExamples.map(\.line) == [3, 4])
        #expect(log.quality.unreadableExamples.map(\.column) == [2, 3])
        #expect(throws: TransactionLogError.self) {
            try Self.read("customer_id,date,amount\n1,x,1\n2,y,2\n3,2024-01-01,3\n")
        }
    }

    @Test("bytes that are not UTF-8 are read as Windows-1252 and counted")
    func legacyEncoding() throws {
        var bytes = Array("customer_id,date,amount\n".utf8)
        bytes += Array("Mu".utf8) + [0xF1] + Array("oz,2024-01-01,1\n".utf8)  // ñ in Windows-1252
        bytes += Array("Ana,2024-01-02,2\n".utf8)
        let log = try TransactionLog.read(bytes)
        #expect(log.quality.legacyEncodedFields == 1)
        #expect(log.quality.legacyEncodedLines == [2])
        #expect((0..<log.customerCount).map(log.customerID).contains("Muñoz"))
    }

    @Test("order lines become one transaction; returns, duplicates and rows without a customer follow the rules")
    func ordersAndRules() throws {
        let text = """
            InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice
            1,7,2024-01-01 10:00,2,1.50
            1,7,2024-01-01 10:00,2,1.50
            1,7,2024-01-01 10:00,1,4
            C2,7,2024-01-05 09:00,-1,4
            3,,2024-01-06 09:00,1,9
            4,7,2024-01-06 12:00,1,0
            5,8,2024-01-06 12:00,1,2.005
            """
        let layout = TransactionLogLayout(
            customer: "CustomerID", date: "InvoiceDate", quantity: "Quantity", price: "UnitPrice", order: "InvoiceNo",
            returnPrefix: "C")
        let log = try Self.read(text, layout: layout)
        #expect(log.customerCount == 2)
        #expect(log.quality.duplicateRows == 1 && log.quality.duplicatesDropped)
        #expect(log.quality.returnRows == 1 && log.quality.returnAmount == -4)
        #expect(log.quality.rowsWithoutCustomer == 1 && log.quality.amountWithoutCustomer == 9)
        #expect(log.quality.zeroAmountRows == 1)
        #expect(log.amount == [70_000, 0, 20_050])  // 2 × 1.50 + 4; the free order; 2.005 exactly
        let kept = try Self.read(text, layout: layout, rules: CleaningRules(returns: .net, duplicates: .keep))
        #expect(kept.amount == [100_000, 0, 20_050])
        #expect(CustomerStats(kept).revenue == [60_000, 20_050])  // 10.00 − 4.00 returned
        let dropped = try Self.read(text, layout: layout, rules: CleaningRules(zeroAmounts: .drop))
        #expect(dropped.transactionCount == 2)
    }

    @Test("same-day repeats are kept or merged, and counted either way")
    func sameDay() throws {
        let text = "customer_id,date,amount\n1,2024-01-01,1\n1,2024-01-01,2\n1,2024-01-03,4\n"
        let kept = try Self.read(text)
        #expect(kept.transactionCount == 3 && kept.quality.sameDayRepeats == 1)
        let merged = try Self.read(text, rules: CleaningRules(sameDay: .merge))
        #expect(merged.transactionCount == 2 && merged.amount == [30_000, 40_000])
        #expect(merged.quality.sameDayRepeats == 1)
    }

    @Test("exact duplicate rows without orders are kept by default, dropped on request")
    func duplicatesWithoutOrders() throws {
        let text = "customer_id,date,amount\n1,2024-01-01,2\n1,2024-01-01,3\n1,2024-01-01,2\n"
        let kept = try Self.read(text)
        #expect(kept.transactionCount == 3 && kept.quality.duplicateRows == 1 && !kept.quality.duplicatesDropped)
        let dropped = try Self.read(text, rules: CleaningRules(duplicates: .drop))
        #expect(dropped.transactionCount == 2)
    }

    @Test("a log without money keeps every count and leaves money out")
    func noMoney() throws {
        let log = try Self.read(
            "user_id,timestamp\nu1,2024-03-01T10:00:00Z\nu2,2024-03-02T11:00:00Z\nu1,2024-04-01T09:00:00Z\n")
        #expect(!log.hasMoney && log.amount.isEmpty)
        let stats = CustomerStats(log)
        let summary = LogSummary(log: log, stats: stats, yearlyRetention: nil, lifetimeYears: nil)
        #expect(summary.revenue == nil && summary.simpleCLV == nil && summary.repeatCustomers == 1)
        let rfm = RFMScores(stats: stats, endDay: log.lastDay, tieRule: .ntile, hasMoney: false)
        #expect(rfm.monetary == [0, 0])
    }

    @Test("customer ids of digits sort by value whether zero-padded or not")
    func idOrder() throws {
        let log = try Self.read(
            "customer_id,date,amount\n10,2024-01-01,1\n009,2024-01-01,1\nb,2024-01-01,1\n2,2024-01-01,1\n")
        #expect((0..<log.customerCount).map(log.customerID) == ["2", "009", "10", "b"])
    }

    @Test("a 2-part parallel read equals a 1-part read")
    func parallelRead() throws {
        var text = "customer_id,date,amount\n"
        var generator = SplitMix64(seed: 7)
        for _ in 0..<400_000 {
            let customer = generator.nextInt() % 5_000
            text +=
                "\(customer),2024-0\(1 + generator.nextInt() % 9)-1\(generator.nextInt() % 10),\(generator.nextInt() % 10_000).\(generator.nextInt() % 100)\n"
        }
        let bytes = Array(text.utf8)
        #expect(bytes.count > 8 << 20)
        let parallel = try TransactionLog.read(bytes)
        let serial = try TransactionLog.read(Array(("\"customer_id\"" + text.dropFirst("customer_id".count)).utf8))
        #expect(parallel.offsets == serial.offsets && parallel.day == serial.day && parallel.amount == serial.amount)
    }
}
