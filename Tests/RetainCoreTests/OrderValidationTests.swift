import Foundation
import RetainCore
import Testing

@Suite struct OrderValidationTests {
    let settings = ProgramSettings(currency: Currency(code: "EUR")!)
    let placedAt = Date(timeIntervalSince1970: 1_795_000_000)

    func order(
        lines: [OrderLine] = [OrderLine(sku: "A", quantity: 2, unitPrice: 1250)], discount: Int64 = 0,
        total: Int64? = nil, currency: String = "EUR",
        customer: CustomerReference = CustomerReference(externalID: "c-1")
    ) -> OrderInput {
        OrderInput(
            orderID: "o-1", customer: customer, placedAt: placedAt, currency: currency, lines: lines,
            discount: discount, total: total)
    }

    /// The fields named by the `DomainError.invalid` the call throws (fails the test if it throws anything else).
    func invalidFields(_ input: OrderInput) -> [String] {
        do {
            _ = try input.validated(for: settings)
            Issue.record("expected the order to be rejected")
            return []
        } catch let DomainError.invalid(issues) {
            return issues.map(\.field)
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func totalIsComputedFromTheLines() throws {
        // 2 × 12.50 + 1 × 3.00 − 0.40 line discount − 1.00 order discount = 25.00 + 2.60 − 1.00 = 26.60
        let input = order(
            lines: [
                OrderLine(sku: "A", quantity: 2, unitPrice: 1250),
                OrderLine(sku: "B", quantity: 1, unitPrice: 300, discount: 40),
            ], discount: 100)
        let valid = try input.validated(for: settings)
        #expect(valid.total == 2660)
        #expect(valid.paid == 2660)
        // The 1.00 order discount over line amounts 2500 / 260: 100·2500/2760 = 90.6, 100·260/2760 = 9.4 → 91 / 9.
        #expect(valid.netLineAmounts == [2409, 251])
        #expect(valid.netLineAmounts.reduce(0, +) == valid.paid)
    }

    @Test func matchingTotalIsAcceptedAndCurrencyIsNormalised() throws {
        let valid = try order(total: 2500, currency: "eur").validated(for: settings)
        #expect(valid.total == 2500)
        #expect(valid.currency == "EUR")
    }

    @Test func mismatchedTotalNamesTotal() {
        #expect(invalidFields(order(total: 2400)) == ["total"])
    }

    @Test func negativeQuantityNamesTheLineQuantity() {
        let fields = invalidFields(order(lines: [OrderLine(sku: "A", quantity: -1, unitPrice: 100)]))
        #expect(fields.first == "lines[0].quantity")
    }

    @Test func unknownCurrency() {
        #expect(invalidFields(order(currency: "XXY")) == ["currency"])
    }

    @Test func currencyOtherThanTheProgramsIsRefused() {
        #expect(invalidFields(order(currency: "USD")) == ["currency"])
    }

    @Test func noLinesNeedsATotal() throws {
        #expect(invalidFields(order(lines: [], total: nil)) == ["total"])
        let valid = try order(lines: [], total: 999).validated(for: settings)
        #expect(valid.netLineAmounts == [999])
    }

    @Test func emptyCustomerReference() {
        #expect(invalidFields(order(customer: CustomerReference(externalID: "  ", email: " "))) == ["customer"])
    }

    @Test func discountLargerThanTheLines() {
        #expect(invalidFields(order(discount: 2501)) == ["discount"])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let input = order(
            lines: [
                OrderLine(sku: "A", quantity: 1, unitPrice: -5),
                OrderLine(sku: "B", quantity: 0, unitPrice: 100),
            ], currency: "USD", customer: CustomerReference())
        let fields = invalidFields(input)
        for field in ["customer", "currency", "lines[0].unit_price", "lines[1].quantity"] {
            #expect(fields.contains(field), "missing \(field) in \(fields)")
        }
    }

    /// Values from JSON can be anything an Int64 holds; overflowing arithmetic must be a field issue, not a trap.
    @Test func extremeAmountsAreIssuesNotCrashes() {
        let huge = order(lines: [
            OrderLine(sku: "A", quantity: -1_000_000_000_000, unitPrice: 9_000_000, discount: 1_000_000_000_000_000_000)
        ])
        #expect(invalidFields(huge).contains("lines[0].quantity"))
        let minDiscount = order(discount: .min)
        #expect(invalidFields(minDiscount).contains("discount"))
        let overflowLine = OrderLine(quantity: 2, unitPrice: .max)
        #expect(overflowLine.amount == nil)
    }
}
