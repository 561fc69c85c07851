import Foundation
import LeptonTune
import Testing

/// Median, ASHA and Hyperband decisions on hand-made histories.
@Suite struct PrunerTests {
    static func trial(_ number: Int, _ values: [Int: Double], state: TrialState = .complete) -> FrozenTrial {
        FrozenTrial(number: number, state: state, params: [:], value: values.max { $0.key < $1.key }?.value, intermediate: values)
    }

    @Test func ashaRungsSitAtMinimumResourceTimesEtaToTheK() {
        let asha = SuccessiveHalvingPruner(minimumResource: 1, reductionFactor: 3)
        #expect((0..<4).map(asha.rungStep) == [1, 3, 9, 27])
        #expect([1, 2, 3, 4, 9, 10, 27].map(asha.isRung) == [true, false, true, false, true, false, true])
        let late = SuccessiveHalvingPruner(minimumResource: 2, reductionFactor: 2, minimumEarlyStoppingRate: 1)
        #expect((0..<3).map(late.rungStep) == [4, 8, 16])
    }

    @Test func ashaPromotesTheTopThirdAtARung() {
        let asha = SuccessiveHalvingPruner(minimumResource: 1, reductionFactor: 3)
        // Five trials reached rung 0 (step 1) with losses 1...5; with the new one, 6 compete: top 6/3 = 2 go on.
        let others = (0..<5).map { Self.trial($0, [1: Double($0 + 1)]) }
        func decide(_ value: Double, step: Int = 1) -> Bool {
            let me = Self.trial(9, [step: value], state: .running)
            return asha.shouldPrune(trial: me, step: step, trials: others + [me], direction: .minimize)
        }
        #expect(decide(0.5) == false)   // best: promoted
        #expect(decide(1.5) == false)   // second: promoted
        #expect(decide(2.5) == true)    // third of six: stopped
        #expect(decide(9) == true)
        #expect(decide(9, step: 2) == false, "step 2 is not a rung: nothing is decided there")
        // Maximising: the largest values go on.
        let me = Self.trial(9, [1: 4.5], state: .running)
        #expect(asha.shouldPrune(trial: me, step: 1, trials: others + [me], direction: .maximize) == false)
        // While fewer than η trials reached the rung, only a new best goes on.
        let first = Self.trial(0, [1: 2])
        let worse = Self.trial(1, [1: 3], state: .running), better = Self.trial(1, [1: 1], state: .running)
        #expect(asha.shouldPrune(trial: worse, step: 1, trials: [first, worse], direction: .minimize) == true)
        #expect(asha.shouldPrune(trial: better, step: 1, trials: [first, better], direction: .minimize) == false)
        // NaN is pruned at once.
        let broken = Self.trial(2, [1: .nan], state: .running)
        #expect(asha.shouldPrune(trial: broken, step: 1, trials: [first, broken], direction: .minimize) == true)
    }

    @Test func medianPrunerStopsTrialsWorseThanTheMedianAfterStartup() {
        let median = MedianPruner(startupTrials: 3, warmupSteps: 1)
        let history = [Self.trial(0, [1: 5, 2: 4]), Self.trial(1, [1: 3, 2: 2]), Self.trial(2, [1: 4, 2: 3])]
        let bad = Self.trial(3, [1: 9, 2: 3.5], state: .running), good = Self.trial(3, [1: 9, 2: 2.5], state: .running)
        #expect(median.shouldPrune(trial: bad, step: 2, trials: history + [bad], direction: .minimize) == true)
        #expect(median.shouldPrune(trial: good, step: 2, trials: history + [good], direction: .minimize) == false)
        #expect(median.shouldPrune(trial: bad, step: 1, trials: history + [bad], direction: .minimize) == false, "warm-up step")
        #expect(median.shouldPrune(trial: bad, step: 2, trials: Array(history.prefix(2)) + [bad], direction: .minimize) == false,
                "before startup trials finish")
    }

    @Test func hyperbandSplitsTrialsIntoBracketsThatCompeteApart() {
        let hyperband = HyperbandPruner(minimumResource: 1, maximumResource: 9, reductionFactor: 3)
        #expect(hyperband.bracketCount == 3)
        let brackets = (0..<300).map(hyperband.bracket(ofTrial:))
        #expect(Set(brackets) == [0, 1, 2])
        #expect(brackets.filter { $0 == 0 }.count > brackets.filter { $0 == 2 }.count, "bracket 0 has the largest budget")
        // A trial of bracket 1 is not judged at step 1 (its first rung is step 3).
        let number = (0..<300).first { hyperband.bracket(ofTrial: $0) == 1 }!
        let me = Self.trial(number, [1: 100], state: .running)
        let others = (0..<300).filter { hyperband.bracket(ofTrial: $0) == 1 && $0 != number }.prefix(5).map { Self.trial($0, [1: 1, 3: 1]) }
        #expect(hyperband.shouldPrune(trial: me, step: 1, trials: others + [me], direction: .minimize) == false)
        let atRung = Self.trial(number, [1: 100, 3: 100], state: .running)
        #expect(hyperband.shouldPrune(trial: atRung, step: 3, trials: others + [atRung], direction: .minimize) == true)
    }
}
