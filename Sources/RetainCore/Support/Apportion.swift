/// Splitting an integer total over parts in proportion to weights so that the pieces add up exactly (largest
/// remainder method, ties to the earlier part). Used for order discounts and for which line earned which point.
public enum Apportion {
    /// `total` (≥ 0) split in proportion to `weights` (≥ 0); all-zero weights put everything on the first part.
    public static func split(_ total: Int64, weights rawWeights: [Int128]) -> [Int64] {
        guard !rawWeights.isEmpty else { return [] }
        // total × weight must fit in Int128: with total < 2^63, weights are scaled below 2^62 when they are larger
        // (only astronomically large orders; the shares then follow the weights to 62 significant bits).
        var weights = rawWeights
        let largest = weights.max() ?? 0
        if largest >= Int128(1) << 62 {
            let shift = (Int128.bitWidth - largest.leadingZeroBitCount) - 62
            weights = weights.map { $0 >> shift }
        }
        let weightSum = weights.reduce(0) { $0 + $1 }
        guard weightSum > 0 else {
            var result = [Int64](repeating: 0, count: weights.count)
            result[0] = total
            return result
        }
        var shares = [Int64](repeating: 0, count: weights.count)
        guard total != 0 else { return shares }
        var remainders = [Int128](repeating: 0, count: weights.count)
        var left = total
        for (index, weight) in weights.enumerated() {
            let product = Int128(total) * weight
            shares[index] = Int64(product / weightSum)
            left -= shares[index]
            remainders[index] = product % weightSum
        }
        // When the floors already add up to the total there is nothing to hand out, and nothing to sort.
        guard left > 0 else { return shares }
        let order = weights.indices.sorted {
            remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1
        }
        var cursor = 0
        while left > 0 {
            shares[order[cursor % order.count]] += 1
            left -= 1
            cursor += 1
        }
        return shares
    }

    public static func split(_ total: Int64, by weights: [Int64]) -> [Int64] {
        split(total, weights: weights.map { Int128($0) })
    }

    /// `amounts` minus `deduction` spread over them in proportion.
    public static func subtract(_ deduction: Int64, from amounts: [Int64]) -> [Int64] {
        zip(amounts, split(deduction, by: amounts)).map { $0 - $1 }
    }
}
