import Foundation
import RetainAnalytics

/// The terminal view of an analysis: short sections, each a table a person can read, in the order an owner asks
/// (is the data sound, how many customers stay, which ones, what are they worth, who to call).
enum AnalysisText {
    static func print(_ report: AnalysisReport) {
        let s = report.summary
        let money = report.source.hasMoney
        section("Log")
        rows([
            ("file", report.source.file ?? "—"),
            ("columns", report.source.layout.source),
            ("dates", "\(s.firstDate) → \(s.endDate) (\(s.days) days), read as \(report.source.dateFormat)"),
        ])
        section("Data quality")
        let q = report.dataQuality
        var quality: [(String, String)] = [
            ("rows read", count(q.rowsRead)), ("rows used", count(q.rowsUsed)),
            ("unreadable rows", count(q.unreadableRows)),
            (
                "rows without a customer",
                count(q.rowsWithoutCustomer) + (money ? " (\(amount(q.amountWithoutCustomer)))" : "")
            ),
            ("returns / cancellations", count(q.returnRows) + (money ? " (\(amount(q.returnAmount)))" : "")),
            ("customers with only returns", count(q.customersWithOnlyReturns)),
            ("exact duplicate rows", count(q.duplicateRows) + (q.duplicatesDropped ? " (dropped)" : " (kept)")),
            ("same-day repeats", count(q.sameDayRepeats) + (q.sameDayMerged ? " (merged)" : " (kept)")),
        ]
        if money { quality.append(("zero-money rows", count(q.zeroAmountRows))) }
        if q.legacyEncodedFields > 0 {
            quality.append(
                (
                    "not UTF-8 (read as Windows-1252)",
                    "\(count(q.legacyEncodedFields)) fields, first on lines \(q.legacyEncodedLines.map(String.init).joined(separator: ", "))"
                ))
        }
        rows(quality)
        for example in q.unreadableExamples { Swift.print("  unreadable: \(example)") }
        for rule in q.rules { Swift.print("  · \(rule)") }

        section("Summary")
        var summary: [(String, String)] = [
            ("customers", count(s.customers)), ("transactions", count(s.transactions)),
            (
                "repeat purchase rate",
                percent(s.repeatPurchaseRate) + " (\(count(s.repeatCustomers)) bought twice or more)"
            ),
            ("purchase frequency", decimal(s.purchaseFrequency) + " transactions per customer"),
        ]
        if let revenue = s.revenue {
            summary += [
                ("revenue", amount(revenue)), ("average order value", amount(s.averageOrderValue)),
                ("historical CLV", amount(s.historicalCLV) + " per customer"),
                (
                    "top 20% of customers",
                    percent(s.top20RevenueShare) + " of revenue (\(count(s.top20Customers)) customers)"
                ),
            ]
        }
        if let clv = s.simpleCLV {
            summary.append(
                (
                    "simple CLV",
                    "\(amount(clv.value)) = \(amount(clv.averageCheck)) × \(decimal(clv.purchasesPerYear))/year × \(decimal(clv.lifetimeYears)) years (\(clv.lifetimeSource))"
                ))
        }
        let gaps = s.interPurchaseDays
        if let median = gaps.median {
            summary.append(
                (
                    "time between purchases",
                    "median \(median) days (p25 \(gaps.p25!), p75 \(gaps.p75!), p90 \(gaps.p90!))"
                ))
        }
        rows(summary)

        let periods = report.periods
        section("By \(periods.unit.rawValue) (active = bought in the last \(periods.activityWindowDays) days)")
        let shown = periods.periods.suffix(periods.unit == .week ? 26 : 36)
        if shown.count < periods.periods.count { Swift.print("(last \(shown.count) of \(periods.periods.count))") }
        printTable(
            ["PERIOD", "CUSTOMERS", "NEW", "RETURNING", "TRANSACTIONS"] + (money ? ["REVENUE", "AOV"] : [])
                + ["RETENTION", "CHURN"] + (money ? ["REVENUE CHURN"] : []),
            shown.map { p in
                [
                    p.label + (p.partial ? "*" : ""), count(p.customers), count(p.newCustomers),
                    count(p.returningCustomers),
                    count(p.transactions),
                ] + (money ? [amount(p.revenue), amount(p.averageOrderValue)] : [])
                    + [percent(p.retentionRate), percent(p.churnRate)] + (money ? [percent(p.revenueChurn)] : [])
            })
        if shown.last?.partial == true { Swift.print("* the log ends inside this period") }

        section(
            "Cohorts: share of each \(report.cohorts.unit.rawValue)'s new customers who bought again k periods later")
        let width = min(13, report.cohorts.cohorts.map(\.returnedIn.count).max() ?? 0)
        printTable(
            ["COHORT", "SIZE"] + (1..<max(width, 1)).map { "+\($0)" },
            report.cohorts.cohorts.suffix(36).map { cohort in
                [cohort.label, count(cohort.size)]
                    + (1..<max(width, 1)).map { k in
                        k < cohort.returnedIn.count ? cohort.retention[k].map { percent($0) } ?? "" : ""
                    }
            })

        section("RFM segments (as of \(report.rfm.asOf), ties: \(report.rfm.tieRule.rawValue))")
        printTable(
            ["SEGMENT", "CUSTOMERS", "SHARE"] + (money ? ["REVENUE", "OF REVENUE"] : []) + ["WHAT TO DO"],
            report.rfm.segments.map { seg in
                [seg.segment.rawValue, count(seg.customers), percent(seg.share)]
                    + (money ? [amount(seg.revenue), percent(seg.revenueShare)] : []) + [seg.advice]
            })

        if let models = report.models {
            section("Models (time unit: \(models.timeUnit.rawValue), \(count(models.customers)) customers)")
            if let bg = models.bgnbd {
                let se = bg.standardErrors
                Swift.print(
                    "BG/NBD       r = \(fixed(bg.r)) ± \(fixed(se["r"])), α = \(fixed(bg.alpha)) ± \(fixed(se["alpha"])), a = \(fixed(bg.a)) ± \(fixed(se["a"])), b = \(fixed(bg.b)) ± \(fixed(se["b"])); log-likelihood \(fixed(bg.logLikelihood, 1))"
                )
            } else if let error = models.bgnbdError {
                Swift.print("BG/NBD       not fitted: \(error)")
            }
            if let gg = models.gammaGamma {
                Swift.print(
                    "Gamma-Gamma  p = \(fixed(gg.p)), q = \(fixed(gg.q)), v = \(fixed(gg.v)); log-likelihood \(fixed(gg.logLikelihood, 1))"
                )
            } else if let error = models.gammaGammaError {
                Swift.print("Gamma-Gamma  not fitted: \(error)")
            }
            var totals: [(String, String)] = []
            if let value = models.expectedPurchases {
                totals.append(
                    (
                        "expected purchases",
                        "\(count(Int(value.rounded()))) in the next \(decimal(models.horizon)) \(models.timeUnit.rawValue)s"
                    ))
            }
            if let value = models.meanProbabilityAlive { totals.append(("mean P(alive)", percent(value))) }
            if let value = models.predictedCLV {
                totals.append(
                    (
                        "predicted CLV, all customers",
                        amount(value)
                            + " (discounted \(percent(models.discountRate))/year\(models.margin.map { ", margin \(percent($0))" } ?? ""))"
                    ))
            }
            rows(totals)
        }
        if let holdout = report.calibration {
            section("Holdout check: fitted to \(holdout.calibrationEnd), compared to \(holdout.holdoutEnd)")
            Swift.print(
                "repeat purchases in the holdout: actual \(count(holdout.actualRepeatPurchases)), predicted \(decimal(holdout.predictedRepeatPurchases))"
            )
            printTable(
                ["PURCHASES BEFORE", "CUSTOMERS", "ACTUAL (MEAN)", "PREDICTED (MEAN)"],
                holdout.byFrequency.map {
                    [$0.frequency, count($0.customers), fixed($0.actualMean), fixed($0.predictedMean)]
                })
        }
        if !report.atRisk.isEmpty {
            section("At risk but worth saving (top \(min(10, report.atRisk.count)) of \(report.atRisk.count))")
            printTable(
                ["CUSTOMER", "P(ALIVE)", "VALUE AT RISK", "WHY"],
                report.atRisk.prefix(10).map {
                    [$0.customerId, percent($0.probabilityAlive), decimal($0.valueAtRisk), $0.reason]
                })
        }
        for note in report.notes { Swift.print("note: \(note)") }
    }

    static func section(_ title: String) {
        Swift.print("")
        Swift.print(title.uppercased())
    }

    static func rows(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (name, value) in pairs {
            Swift.print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    static func count(_ value: Int) -> String { Format.count(value) }

    static func amount(_ value: Double?) -> String {
        guard let value else { return "—" }
        return String(format: "%.2f", value)
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.1f%%", value * 100)
    }

    static func decimal(_ value: Double) -> String { String(format: "%.2f", value) }

    static func fixed(_ value: Double?, _ digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.\(digits)f", value)
    }
}
