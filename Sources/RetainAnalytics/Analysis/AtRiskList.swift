extension ModelRun {
    /// Repeat customers whose P(alive) is in [atRiskAbove, atRiskBelow): still possibly active, but slipping.
    /// Value if retained = expected purchases over the horizon given that the customer is still active
    /// (E[X | x, t_x, T] ÷ P(alive), exact under BG/NBD since a lost customer buys nothing) × expected spend.
    /// Ranked by value at risk = value if retained × (1 − P(alive)).
    static func atRisk(
        log: TransactionLog, stats: CustomerStats, rfm: RFMScores, table: CustomerTable, options: AnalysisOptions,
        endDay: Int
    ) -> [AtRiskCustomer] {
        var candidates: [(customer: Int, stake: Double)] = []
        for customer in 0..<table.ids.count {
            guard table.frequency[customer] >= 1, let alive = table.probabilityAlive[customer],
                alive >= options.atRiskAbove, alive < options.atRiskBelow, alive > 0,
                let purchases = table.expectedPurchases[customer]
            else { continue }
            let ifRetained = purchases / alive
            let value = table.expectedSpend[customer].map { ifRetained * $0 } ?? ifRetained
            // A prediction that overflowed (a fit at the edge of its parameters) ranks nobody.
            guard value.isFinite else { continue }
            candidates.append((customer, value * (1 - alive)))
        }
        candidates.sort { $0.stake != $1.stake ? $0.stake > $1.stake : $0.customer < $1.customer }
        let unitName = options.timeUnit == .week ? "weeks" : "days"
        let horizon = options.horizonUnits
        return candidates.prefix(options.atRiskLimit).map { customer, stake in
            let alive = table.probabilityAlive[customer]!
            let ifRetained = table.expectedPurchases[customer]! / alive
            let value = table.expectedSpend[customer].map { ifRetained * $0 }
            let days = Int(stats.purchaseDays[customer])
            let span = Int(stats.lastDay[customer] - stats.firstDay[customer])
            let gap = days > 1 ? Double(span) / Double(days - 1) : nil
            let silent = endDay - Int(stats.lastDay[customer])
            var reason = "\(days) purchase days"
            if let gap { reason += ", about every \(Self.days(gap))" }
            reason += "; nothing for \(silent) days"
            if let gap, gap > 0 { reason += " (\(Self.times(Double(silent) / gap)) their usual gap)" }
            reason += "; \(Int((alive * 100).rounded()))% likely still a customer"
            if let value {
                reason += "; worth about \(Self.money(value)) over the next \(Self.number(horizon)) \(unitName) if kept"
            } else {
                reason +=
                    "; about \(Self.number(ifRetained)) purchases over the next \(Self.number(horizon)) \(unitName) if kept"
            }
            return AtRiskCustomer(
                customerId: table.ids[customer], probabilityAlive: alive, purchases: Int(stats.transactions[customer]),
                daysSinceLastPurchase: silent, typicalGapDays: gap, purchasesIfRetained: ifRetained,
                valueIfRetained: value, valueAtRisk: stake, segment: rfm.segment[customer], reason: reason)
        }
    }

    static func days(_ value: Double) -> String {
        value >= 14 ? "\(Int((value / 7).rounded())) weeks" : "\(Int(value.rounded())) days"
    }

    static func times(_ value: Double) -> String {
        value < 10 ? "\((value * 10).rounded() / 10)×" : "\(Int(value.rounded()))×"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\((value * 10).rounded() / 10)"
    }

    static func money(_ value: Double) -> String {
        let cents = Int((value * 100).rounded())
        return "\(cents / 100).\(String(format2: cents % 100))"
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
