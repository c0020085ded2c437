import PropertyBased
import RetainCore
import Testing

@Suite struct ApportionTests {
    @Test func splitAddsUpAndStaysWithinOneOfTheExactShare() async {
        let weights = Gen.int64(in: 0...1_000_000).array(of: 1...12)
        await propertyCheck(count: 300, input: Gen.int64(in: 0...10_000_000), weights) { total, weights in
            let shares = Apportion.split(total, by: weights)
            #expect(shares.count == weights.count)
            #expect(shares.reduce(0, +) == total)
            #expect(shares.allSatisfy { $0 >= 0 })
            let weightSum = weights.reduce(Int128(0)) { $0 + Int128($1) }
            guard weightSum > 0 else {
                #expect(shares[0] == total)
                return
            }
            for (share, weight) in zip(shares, weights) {
                // |share − total·w/W| < 1  ⇔  |share·W − total·w| < W
                let difference = Int128(share) * weightSum - Int128(total) * Int128(weight)
                #expect(difference > -weightSum && difference < weightSum, "share \(share) of weight \(weight)")
                if weight == 0 { #expect(share == 0) }
            }
        }
    }

    @Test func largestRemainderWithTiesToTheEarlierPart() {
        // 10 over [1, 1, 1]: 3.33 each, one left over goes to the first part.
        #expect(Apportion.split(10, by: [1, 1, 1]) == [4, 3, 3])
        // 10 over [1, 2]: exact 3.33 / 6.67 → floors 3 / 6, the larger remainder (.67) gets the extra point.
        #expect(Apportion.split(10, by: [1, 2]) == [3, 7])
        #expect(Apportion.split(7, by: [0, 0, 0]) == [7, 0, 0])
        #expect(Apportion.split(5, by: []) == [])
        #expect(Apportion.split(0, by: [3, 4]) == [0, 0])
    }

    @Test func leftoverUnitsGoToTheLargestRemaindersTiesToTheEarlierPart() async {
        let weights = Gen.int64(in: 0...20).array(of: 1...8)
        await propertyCheck(count: 300, input: Gen.int64(in: 0...200), weights) { total, weights in
            let weightSum = weights.reduce(Int128(0)) { $0 + Int128($1) }
            guard weightSum > 0 else { return }
            // The rule written out plainly: floors, then one unit each to the largest remainders, earlier first.
            let products = weights.map { Int128(total) * Int128($0) }
            var expected = products.map { Int64($0 / weightSum) }
            let ranked = products.indices.sorted {
                (-(products[$0] % weightSum), $0) < (-(products[$1] % weightSum), $1)
            }
            for index in ranked.prefix(Int(total - expected.reduce(0, +))) { expected[index] += 1 }
            #expect(Apportion.split(total, by: weights) == expected)
        }
    }

    @Test func subtractSpreadsADiscountInProportion() {
        // 300 off [1000, 500, 0]: 200 + 100 + 0.
        #expect(Apportion.subtract(300, from: [1000, 500, 0]) == [800, 400, 0])
        // 100 off three equal lines: the deduction splits as [34, 33, 33] (tie → earlier part gets the extra).
        #expect(Apportion.subtract(100, from: [100, 100, 100]) == [66, 67, 67])
    }

    @Test func subtractNeverGoesNegativeAndRemovesExactlyTheDeduction() async {
        let amounts = Gen.int64(in: 0...100_000).array(of: 1...10)
        await propertyCheck(count: 300, input: amounts, Gen.int(in: 0...1000)) { amounts, permille in
            let sum = amounts.reduce(0, +)
            let deduction = sum * Int64(permille) / 1000
            let net = Apportion.subtract(deduction, from: amounts)
            #expect(net.reduce(0, +) == sum - deduction)
            #expect(zip(net, amounts).allSatisfy { $0 >= 0 && $0 <= $1 })
        }
    }
}
