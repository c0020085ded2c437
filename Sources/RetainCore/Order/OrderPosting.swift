import Foundation

/// The ledger side of orders and returns, as pure functions over a customer's `Wallet`. The HTTP path and the bulk
/// importer both go through here, so an imported order earns exactly what the same order sent to the API would.
public enum OrderPosting {
    /// Awards a validated order's points into the wallet and returns the record to store.
    public static func post(
        _ order: OrderInput, customerID: String, rules: [EarningRule], settings: ProgramSettings,
        wallet: inout Wallet, now: Date
    ) -> OrderRecord {
        var none: Membership?
        return post(
            order, customerID: customerID, rules: rules, settings: settings, wallet: &wallet, membership: &none,
            engine: nil, now: now)
    }

    /// Awards a validated order's points, with the membership steps when the program tracks memberships: due
    /// tier reviews first, the tier's multiplier as an extra award, then the order's qualifying activity and an
    /// upgrade at once (with its gift).
    public static func post(
        _ order: OrderInput, customerID: String, rules: [EarningRule], settings: ProgramSettings,
        wallet: inout Wallet, membership: inout Membership?, engine: MembershipEngine?, now: Date
    ) -> OrderRecord {
        // A purchase renews points under the `inactivity` policy (after lots already due were written off).
        if settings.renewsOnActivity,
            let until = settings.expiryPolicy?.expiry(from: order.placedAt, zone: settings.zone)
        {
            wallet.renew(until: until)
        }
        var awards = EarningEngine.evaluate(order: order, rules: rules, settings: settings)
        let rulePoints = awards.reduce(Int64(0)) { $0 + $1.points }
        if let engine, engine.configuration.tracksMembership {
            var current = engine.membership(membership, customerID: customerID, at: order.placedAt)
            engine.catchUp(&current, to: order.placedAt)
            if let bonus = engine.tierBonus(for: order, awards: awards, membership: current) { awards.append(bonus) }
            membership = current
        }
        var states: [OrderRecord.AwardState] = []
        for award in awards {
            let entry = wallet.credit(
                award.points, kind: .earn, reason: "order \(order.orderID): \(award.ruleName)", source: .order,
                sourceID: order.orderID, ruleID: award.ruleID, at: order.placedAt, maturesAt: award.maturesAt,
                expiresAt: award.expiresAt, renews: award.renews, now: now)
            states.append(.init(award: award, entryID: entry.id, lotID: entry.lotID!, reversed: 0))
        }
        if let engine, var current = membership {
            engine.afterOrder(order, rulePoints: rulePoints, membership: &current, wallet: &wallet, now: now)
            membership = current
        }
        let units = order.lines.isEmpty ? 1 : order.lines.count
        return OrderRecord(
            programID: wallet.programID, orderID: order.orderID, customerID: customerID, status: .recorded,
            input: order, awards: states, returnedUnits: Array(repeating: 0, count: units), returnedAmount: 0,
            createdAt: now)
    }

    /// An order kept without a customer (policy `hold`).
    public static func hold(_ order: OrderInput, programID: String, now: Date) -> OrderRecord {
        OrderRecord(
            programID: programID, orderID: order.orderID, customerID: nil, status: .unmatched, input: order, awards: [],
            returnedUnits: Array(repeating: 0, count: max(order.lines.count, 1)), returnedAmount: 0, createdAt: now)
    }

    /// Which units of which line a return takes back; throws a field-level error when the return asks for more than
    /// is left.
    public static func resolve(_ input: ReturnInput, against record: OrderRecord) throws -> [Int64] {
        var validator = Validator()
        validator.check(!input.returnID.isEmpty && input.returnID.count <= 128, "return_id", "must be 1–128 characters")
        let units = record.lineUnits
        let left = zip(units, record.returnedUnits).map { $0 - $1 }
        var take = [Int64](repeating: 0, count: units.count)
        if input.whole {
            validator.check(
                input.lines.isEmpty && input.amount == nil, "whole",
                "give either whole: true or lines/amount, not both")
            take = left
            if left.allSatisfy({ $0 == 0 }) {
                throw DomainError.refused(code: "already_returned", detail: "order \(record.orderID) is fully returned")
            }
        } else if record.input.lines.isEmpty {
            validator.check(input.lines.isEmpty, "lines", "this order has no lines: return an amount")
            if let amount = input.amount {
                validator.check(amount > 0, "amount", "must be at least 1")
                validator.check(amount <= left[0], "amount", "is \(amount) but only \(left[0]) is left to return")
                take[0] = max(amount, 0)
            } else {
                validator.add("amount", "is required (or whole: true)")
            }
        } else {
            validator.check(input.amount == nil, "amount", "this order has lines: return lines, or whole: true")
            validator.check(!input.lines.isEmpty, "lines", "name the lines to return, or send whole: true")
            for (index, line) in input.lines.enumerated() {
                let field = "lines[\(index)]"
                guard line.quantity > 0 else {
                    validator.add("\(field).quantity", "must be at least 1")
                    continue
                }
                var target: Int?
                if let number = line.lineNumber {
                    if record.input.lines.indices.contains(number) {
                        target = number
                    } else {
                        validator.add("\(field).line_number", "the order has lines 0–\(record.input.lines.count - 1)")
                    }
                } else if let sku = line.sku {
                    target =
                        record.input.lines.indices.first { record.input.lines[$0].sku == sku && left[$0] > take[$0] }
                        ?? record.input.lines.firstIndex { $0.sku == sku }
                    if target == nil { validator.add("\(field).sku", "the order has no line with sku \(sku)") }
                } else {
                    validator.add(field, "name the line by line_number or sku")
                }
                guard let target else { continue }
                if take[target] + line.quantity > left[target] {
                    validator.add(
                        "\(field).quantity",
                        "returns \(take[target] + line.quantity) of line \(target) but only \(left[target]) left")
                } else {
                    take[target] += line.quantity
                }
            }
        }
        try validator.throwIfInvalid()
        return take
    }

    /// Applies a resolved return: marks the units returned and takes back each award's share in proportion —
    /// an award's reversal so far is Σ over lines of ⌊line points × returned units ÷ line units⌋, so a full return
    /// takes back exactly what the order earned and partial returns never take more.
    public static func applyReturn(
        _ input: ReturnInput, units take: [Int64], to record: inout OrderRecord, wallet: inout Wallet, at: Date,
        now: Date
    ) -> ReturnRecord {
        var none: Membership?
        return applyReturn(
            input, units: take, to: &record, wallet: &wallet, membership: &none, engine: nil, at: at, now: now)
    }

    /// Applies a resolved return, and takes its money and rule points out of the tier's qualifying activity.
    public static func applyReturn(
        _ input: ReturnInput, units take: [Int64], to record: inout OrderRecord, wallet: inout Wallet,
        membership: inout Membership?, engine: MembershipEngine?, at: Date, now: Date
    ) -> ReturnRecord {
        let units = record.lineUnits
        for index in take.indices { record.returnedUnits[index] += take[index] }
        let netAmounts = record.input.netLineAmounts
        let refundedSoFar = units.indices.reduce(Int64(0)) { sum, index in
            sum + proportion(netAmounts[index], record.returnedUnits[index], units[index])
        }
        let amount = refundedSoFar - record.returnedAmount
        record.returnedAmount = refundedSoFar
        var reversed: Int64 = 0
        var unrecovered: Int64 = 0
        var ruleShare: Int64 = 0
        for awardIndex in record.awards.indices {
            let state = record.awards[awardIndex]
            let target = units.indices.reduce(Int64(0)) { sum, index in
                sum + proportion(state.award.linePoints[index], record.returnedUnits[index], units[index])
            }
            let delta = target - state.reversed
            guard delta > 0 else { continue }
            record.awards[awardIndex].reversed = target
            if !state.award.ruleID.hasPrefix("tier:") { ruleShare += delta }
            let result = wallet.debit(
                delta, kind: .reverse, policy: .lotFirst(state.lotID), allowPartial: true,
                reason: "\(input.kind.rawValue) \(input.returnID) of order \(record.orderID)", source: .return,
                sourceID: input.returnID, at: at, now: now)
            reversed += delta - result.shortfall
            unrecovered += result.shortfall
        }
        let fullyReturned = zip(record.returnedUnits, units).allSatisfy { $0 >= $1 }
        if let engine, var current = membership {
            engine.afterReturn(
                record.input, units: take, wholeOrderReturned: fullyReturned, amount: amount, rulePoints: ruleShare,
                membership: &current)
            membership = current
        }
        record.status = fullyReturned ? .returned : .partiallyReturned
        return ReturnRecord(
            programID: record.programID, returnID: input.returnID, orderID: record.orderID,
            customerID: record.customerID, kind: input.kind,
            lines: record.input.lines.isEmpty
                ? []
                : take.enumerated().filter { $0.element > 0 }.map {
                    .init(lineNumber: $0.offset, quantity: $0.element)
                },
            amount: amount, pointsReversed: reversed, pointsUnrecovered: unrecovered, returnedAt: at,
            reason: input.reason, createdAt: now)
    }

    /// ⌊value × part ÷ whole⌋, exact for the full part.
    static func proportion(_ value: Int64, _ part: Int64, _ whole: Int64) -> Int64 {
        guard whole > 0 else { return 0 }
        if part >= whole { return value }
        return Int64(Int128(value) * Int128(part) / Int128(whole))
    }
}
