import Foundation

/// A self-contained HTML report of an analysis: inline CSS and SVG charts drawn here, no scripts, no external
/// files — it can be mailed or opened offline. Each chart carries one line saying how to read it.
public enum HTMLReport {
    public static func render(_ report: AnalysisReport) -> String {
        var body = ""
        let s = report.summary
        body += "<h1>Retention report</h1>"
        body +=
            "<p class=sub>\(escape(report.source.file ?? "log")) · \(s.firstDate) → \(s.endDate) · \(escape(report.source.layout.source))</p>"
        body += kpis(report)
        body += section(
            "Cohort retention",
            "Each row is the customers who first bought in that \(report.cohorts.unit.rawValue); a cell is the share who bought again k \(report.cohorts.unit.rawValue)s later. Darker = more came back; blank = not yet observable.",
            Charts.cohortHeatMap(report.cohorts))
        body += section(
            "Retention curves",
            "Average share of a cohort buying k periods after its first purchase (solid), and the retention rate (E − N) ÷ S of each period with a \(report.periods.activityWindowDays)-day activity window (dashed).",
            Charts.retentionCurves(report))
        body += section(
            "RFM grid",
            "Customers by recency (rows, 5 = bought most recently) and frequency (columns, 5 = most purchases); the label names the segment.",
            Charts.rfmGrid(report.rfm) + segmentTable(report))
        if let holdout = report.calibration {
            body += section(
                "Predicted vs actual",
                "Cumulative repeat purchases of the customers known at \(holdout.calibrationEnd): the model (dashed) was fitted only on data left of the marker; the closer the lines stay to its right, the more the forecasts can be trusted.",
                Charts.tracking(holdout))
        }
        body += atRiskTable(report)
        body += qualityList(report)
        return """
            <!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width, initial-scale=1">
            <title>Retention report</title><style>\(css)</style></head><body>\(body)
            <footer>Made by Retain. Definitions: docs/analytics.md.</footer></body></html>
            """
    }

    static let css = """
        body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2330}
        h1{margin:0}h2{margin:2.2rem 0 .2rem;font-size:1.2rem}.sub,.how{color:#5b6472;margin:.2rem 0 .8rem}
        .kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.8rem;margin:1.4rem 0}
        .kpi{border:1px solid #dde2ea;border-radius:10px;padding:.7rem .9rem}.kpi b{display:block;font-size:1.45rem}
        .kpi span{color:#5b6472;font-size:.85rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
        th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eceff4}td.n,th.n{text-align:right}
        svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#1d2330}footer{margin:3rem 0 1rem;color:#8a93a2}
        """

    static func kpis(_ report: AnalysisReport) -> String {
        let s = report.summary
        var cards: [(String, String)] = [
            (Format.count(s.customers), "customers"), (Format.percent(s.repeatPurchaseRate), "bought twice or more"),
            (Format.decimal(s.purchaseFrequency), "transactions per customer"),
        ]
        if let revenue = s.revenue { cards.append((Format.money(revenue), "revenue")) }
        if let aov = s.averageOrderValue { cards.append((Format.money(aov), "average order value")) }
        if let share = s.top20RevenueShare { cards.append((Format.percent(share), "of revenue from the top 20%")) }
        if let last = report.periods.periods.last(where: { $0.retentionRate != nil }), let rate = last.retentionRate {
            cards.append((Format.percent(rate), "retention in \(last.label)"))
        }
        if let clv = report.models?.predictedCLV, report.models!.customers > 0 {
            cards.append((Format.money(clv / Double(report.models!.customers)), "predicted CLV per customer"))
        }
        if let alive = report.models?.meanProbabilityAlive {
            cards.append((Format.percent(alive), "mean P(still a customer)"))
        }
        return "<div class=kpis>"
            + cards.map { "<div class=kpi><b>\($0.0)</b><span>\(escape($0.1))</span></div>" }.joined() + "</div>"
    }

    static func section(_ title: String, _ how: String, _ content: String) -> String {
        "<h2>\(escape(title))</h2><p class=how>How to read: \(escape(how))</p>\(content)"
    }

    static func segmentTable(_ report: AnalysisReport) -> String {
        let money = report.source.hasMoney
        var rows =
            "<table><tr><th>Segment</th><th class=n>Customers</th><th class=n>Share</th>"
            + (money ? "<th class=n>Revenue</th>" : "") + "<th>What to do</th></tr>"
        for segment in report.rfm.segments {
            rows +=
                "<tr><td>\(escape(segment.segment.rawValue))</td><td class=n>\(Format.count(segment.customers))</td>"
                + "<td class=n>\(Format.percent(segment.share))</td>"
                + (money ? "<td class=n>\(segment.revenue.map(Format.money) ?? "—")</td>" : "")
                + "<td>\(escape(segment.advice))</td></tr>"
        }
        return rows + "</table>"
    }

    static func atRiskTable(_ report: AnalysisReport) -> String {
        guard !report.atRisk.isEmpty else { return "" }
        var rows =
            "<table><tr><th>Customer</th><th class=n>P(alive)</th><th class=n>Value at risk</th><th>Why</th></tr>"
        for customer in report.atRisk.prefix(25) {
            rows +=
                "<tr><td>\(escape(customer.customerId))</td><td class=n>\(Format.percent(customer.probabilityAlive))</td>"
                + "<td class=n>\(Format.money(customer.valueAtRisk))</td><td>\(escape(customer.reason))</td></tr>"
        }
        return section(
            "At risk but worth saving",
            "Repeat customers whose chance of still being a customer has fallen, ranked by what is at stake (their expected value if kept × the chance they are gone). Call or write to the top of the list first.",
            rows + "</table>")
    }

    static func qualityList(_ report: AnalysisReport) -> String {
        let q = report.dataQuality
        var items = [
            "\(Format.count(q.rowsRead)) rows read, \(Format.count(q.rowsUsed)) used",
            "\(Format.count(q.rowsWithoutCustomer)) without a customer",
            "\(Format.count(q.returnRows)) returns or cancellations",
            "\(Format.count(q.duplicateRows)) exact duplicates", "\(Format.count(q.sameDayRepeats)) same-day repeats",
            "\(Format.count(q.unreadableRows)) unreadable rows",
        ]
        if q.legacyEncodedFields > 0 {
            items.append("\(Format.count(q.legacyEncodedFields)) fields not in UTF-8 (read as Windows-1252)")
        }
        return section(
            "Data quality and rules", "What was left out or merged before any number above was computed.",
            "<ul>" + (items + q.rules + report.notes).map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Number formatting shared by the reports (HTML here, the terminal tables of `retain analyze`).
public enum Format {
    /// 1234567 → "1,234,567".
    public static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func percent(_ value: Double) -> String { value.isFinite ? "\((value * 1000).rounded() / 10)%" : "—" }
    static func decimal(_ value: Double) -> String { "\((value * 100).rounded() / 100)" }
    static func money(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let cents = Int((abs(value) * 100).rounded())
        return (value < 0 ? "-" : "") + count(cents / 100) + "." + String(format2: cents % 100)
    }
}
