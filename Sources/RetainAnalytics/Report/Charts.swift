/// SVG charts for `HTMLReport`, drawn as plain elements with fixed view boxes (they scale with the page).
enum Charts {
    /// Share → a blue of matching depth.
    static func shade(_ share: Double) -> String {
        let t = max(0, min(1, share))
        let r = Int(240 - 200 * t), g = Int(245 - 150 * t), b = Int(255 - 60 * t)
        return "rgb(\(r),\(g),\(b))"
    }

    static func cohortHeatMap(_ table: CohortTable) -> String {
        let cohorts = Array(table.cohorts.suffix(36))
        guard !cohorts.isEmpty else { return "<p>No cohorts.</p>" }
        let columns = min(cohorts.map(\.returnedIn.count).max() ?? 1, 37)
        let cell = 26.0, left = 80.0, top = 22.0
        let width = left + Double(columns) * cell + 10
        let height = top + Double(cohorts.count) * cell + 10
        // Scale the colours to the largest share after period 0, so later periods stay readable.
        let peak = cohorts.flatMap { $0.retention.dropFirst().compactMap { $0 } }.max() ?? 1
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"cohort heat map\">"
        for k in 0..<columns where k % (columns > 20 ? 2 : 1) == 0 {
            svg += "<text x=\"\(left + Double(k) * cell + cell / 2)\" y=\"14\" text-anchor=\"middle\">\(k)</text>"
        }
        for (row, cohort) in cohorts.enumerated() {
            let y = top + Double(row) * cell
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(HTMLReport.escape(cohort.label))</text>"
            for (k, share) in cohort.retention.prefix(columns).enumerated() {
                guard let share else { continue }
                let x = left + Double(k) * cell
                let fill = k == 0 ? "#dfe6f2" : shade(share / max(peak, 0.0001))
                svg +=
                    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"\(fill)\"><title>\(HTMLReport.escape(cohort.label)) +\(k): \(Format.percent(share)) of \(cohort.size)</title></rect>"
                if k > 0 && columns <= 16 {
                    svg +=
                        "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" font-size=\"9\">\(Int((share * 100).rounded()))</text>"
                }
            }
        }
        return svg + "</svg>"
    }

    static func retentionCurves(_ report: AnalysisReport) -> String {
        var average: [Double] = []
        let longest = report.cohorts.cohorts.map(\.returnedIn.count).max() ?? 0
        for k in 1..<max(longest, 1) {
            var customers = 0
            var returned = 0
            for cohort in report.cohorts.cohorts where k < cohort.returnedIn.count {
                if let cell = cohort.returnedIn[k] {
                    customers += cohort.size
                    returned += cell
                }
            }
            if customers > 0 { average.append(Double(returned) / Double(customers)) }
        }
        let rates = report.periods.periods.compactMap(\.retentionRate)
        return lineChart(
            series: [(average, "#2f6fd0", false), (rates, "#d0672f", true)],
            xLabel: "periods after the first purchase (solid) · periods of the log (dashed)", yMax: 1, percent: true)
    }

    static func tracking(_ holdout: HoldoutComparison) -> String {
        let actual = holdout.tracking.map { Double($0.actual) }
        let expected = holdout.tracking.map(\.expected)
        let marker = holdout.tracking.firstIndex { $0.date >= holdout.calibrationEnd }
        return lineChart(
            series: [(actual, "#1d2330", false), (expected, "#2f6fd0", true)],
            xLabel: "\(holdout.tracking.first?.date ?? "") → \(holdout.holdoutEnd)", yMax: nil, percent: false,
            marker: marker)
    }

    static func lineChart(
        series: [([Double], String, Bool)], xLabel: String, yMax: Double?, percent: Bool, marker: Int? = nil
    ) -> String {
        let width = 760.0, height = 260.0, left = 56.0, bottom = 30.0, top = 10.0
        let count = series.map(\.0.count).max() ?? 0
        guard count > 1 else { return "<p>Not enough periods to draw.</p>" }
        let maximum = yMax ?? max(series.flatMap(\.0).max() ?? 1, 1)
        func x(_ index: Int) -> Double { left + Double(index) / Double(count - 1) * (width - left - 10) }
        func y(_ value: Double) -> Double { top + (1 - value / maximum) * (height - top - bottom) }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"line chart\">"
        for tick in 0...4 {
            let value = maximum * Double(tick) / 4
            let label = percent ? Format.percent(value) : Format.count(Int(value.rounded()))
            svg +=
                "<line x1=\"\(left)\" x2=\"\(width - 10)\" y1=\"\(y(value))\" y2=\"\(y(value))\" stroke=\"#eceff4\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(label)</text>"
        }
        if let marker {
            svg +=
                "<line x1=\"\(x(marker))\" x2=\"\(x(marker))\" y1=\"\(top)\" y2=\"\(height - bottom)\" stroke=\"#aab\" stroke-dasharray=\"2 3\"/>"
        }
        for (values, colour, dashed) in series where values.count > 1 {
            let points = values.enumerated().map { "\(x($0.offset)),\(y($0.element))" }.joined(separator: " ")
            svg +=
                "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" \(dashed ? "stroke-dasharray=\"6 4\"" : "") points=\"\(points)\"/>"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 8)\">\(HTMLReport.escape(xLabel))</text>"
        return svg + "</svg>"
    }

    static func rfmGrid(_ rfm: RFMReport) -> String {
        let cell = 96.0, left = 40.0, top = 24.0
        let peak = rfm.grid.flatMap { $0 }.max() ?? 1
        var svg =
            "<svg viewBox=\"0 0 \(Int(left + 5 * cell + 10)) \(Int(top + 5 * cell + 30))\" role=\"img\" aria-label=\"RFM grid\">"
        for f in 1...5 {
            svg += "<text x=\"\(left + Double(f - 1) * cell + cell / 2)\" y=\"16\" text-anchor=\"middle\">F \(f)</text>"
        }
        for r in stride(from: 5, through: 1, by: -1) {
            let y = top + Double(5 - r) * cell
            svg += "<text x=\"\(left - 8)\" y=\"\(y + cell / 2)\" text-anchor=\"end\">R \(r)</text>"
            for f in 1...5 {
                let count = rfm.grid[r - 1][f - 1]
                let x = left + Double(f - 1) * cell
                let segment = RFMSegment.of(recency: UInt8(r), frequency: UInt8(f))
                svg +=
                    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" fill=\"\(shade(Double(count) / Double(max(peak, 1))))\"/>"
                svg +=
                    "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 - 4)\" text-anchor=\"middle\" font-weight=\"bold\">\(Format.count(count))</text>"
                svg +=
                    "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 12)\" text-anchor=\"middle\" font-size=\"9\">\(HTMLReport.escape(segment.rawValue))</text>"
            }
        }
        return svg + "</svg>"
    }
}
