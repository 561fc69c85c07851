import Foundation
import LeptonNN
import LeptonTune
import Testing

/// `tune.pruner_options`: the settings reach the pruner (seen in which trials it stops at
/// which step), and bad settings are refused with one line naming the key.
@Suite struct PrunerSettingsTests {
    static let training = TuningConfigTests.training + "search: {batch_size: {type: int, low: 8, high: 64}}\n"

    static func config(_ tune: String) throws -> TuningConfig {
        try TuningConfigTests.parse(training + "tune: \(tune)\n")
    }

    static func trial(_ number: Int, _ values: [Int: Double], state: TrialState = .complete) -> FrozenTrial {
        FrozenTrial(number: number, state: state, params: [:], value: values.max { $0.key < $1.key }?.value, intermediate: values)
    }

    /// Whether `pruner` stops a new trial whose loss at every step up to `step` is `value`,
    /// beside `others` (losses by step).
    static func stops(_ pruner: any Pruner, at step: Int, value: Double, others: [[Int: Double]]) -> Bool {
        let history = others.enumerated().map { trial($0.offset, $0.element) }
        let me = trial(others.count, Dictionary(uniqueKeysWithValues: (1...step).map { ($0, value) }), state: .running)
        return pruner.shouldPrune(trial: me, step: step, trials: history + [me], direction: .minimize)
    }

    @Test func ashaTakesItsRungsFromTheOptions() throws {
        let others: [[Int: Double]] = (0..<6).map { i in Dictionary(uniqueKeysWithValues: (1...9).map { ($0, Double(i)) }) }
        let defaults = try Self.config("{pruner: asha}").makePruner()
        #expect(Self.stops(defaults, at: 1, value: 9, others: others), "default: a rung at step 1")
        let late = try Self.config("{pruner: asha, pruner_options: {min_resource: 2, reduction_factor: 2, min_early_stopping_rate: 1}}").makePruner()
        // Rungs at 2 · 2^(k+1): 4, 8, 16, …
        #expect(!Self.stops(late, at: 1, value: 9, others: others))
        #expect(!Self.stops(late, at: 2, value: 9, others: others))
        #expect(Self.stops(late, at: 4, value: 9, others: others))
        #expect(!Self.stops(late, at: 6, value: 9, others: others))
        #expect(Self.stops(late, at: 8, value: 9, others: others))
        // η 2 promotes the best half: the third of seven goes on, the fourth does not.
        #expect(!Self.stops(late, at: 4, value: 1.5, others: others))
        #expect(Self.stops(late, at: 4, value: 2.5, others: others))
    }

    @Test func hyperbandTakesItsResourcesFromTheOptions() throws {
        let config = try Self.config("{pruner: hyperband, pruner_options: {min_resource: 1, max_resource: 27, reduction_factor: 3}}")
        let hyperband = try #require(try config.makePruner() as? HyperbandPruner)
        #expect(hyperband.maximumResource == 27 && hyperband.bracketCount == 4, "config epochs 3, but max_resource 27")
        let defaults = try #require(try Self.config("{pruner: hyperband}").makePruner() as? HyperbandPruner)
        #expect(defaults.maximumResource == 3 && defaults.bracketCount == 2, "max_resource defaults to the trial's steps")
    }

    @Test func medianTakesStartupWarmupIntervalAndMinimumTrials() throws {
        let others: [[Int: Double]] = (0..<4).map { i in Dictionary(uniqueKeysWithValues: (1...9).map { ($0, Double(i)) }) }
        let defaults = try Self.config("{pruner: median}").makePruner()
        #expect(!Self.stops(defaults, at: 1, value: 9, others: others), "default: 5 startup trials, only 4 finished")
        let median = try Self.config("{pruner: median, pruner_options: {n_startup_trials: 3, n_warmup_steps: 2, interval_steps: 3}}").makePruner()
        // Checks at steps 3, 6, 9, …
        #expect((1...9).map { Self.stops(median, at: $0, value: 9, others: others) }
                == [false, false, true, false, false, true, false, false, true])
        #expect(!Self.stops(median, at: 3, value: 0.5, others: others), "better than the median")
        // A check at a step the trial did not report is made at its next report.
        let me = Self.trial(4, [2: 9, 4: 9], state: .running)
        let history = others.enumerated().map { Self.trial($0.offset, $0.element) }
        #expect(median.shouldPrune(trial: me, step: 4, trials: history + [me], direction: .minimize))
        let few = try Self.config("{pruner: median, pruner_options: {n_startup_trials: 0, n_min_trials: 5}}").makePruner()
        #expect(!Self.stops(few, at: 1, value: 9, others: others), "4 other values, 5 needed")
        #expect(Self.stops(few, at: 1, value: 9, others: others + [[1: 0]]))
    }

    @Test func aCommandLinePrunerOtherThanTheConfigsRefusesItsOptions() throws {
        let config = try Self.config("{pruner: asha, pruner_options: {min_resource: 2}}")
        #expect(try config.makePruner(.asha) is SuccessiveHalvingPruner)
        #expect(throws: TuneError.self) { try config.makePruner(.median) }
        #expect(try Self.config("{pruner: asha}").makePruner(.median) is MedianPruner, "no options: any pruner")
    }

    @Test func badOptionsNameTheKey() {
        let cases = [
            ("{pruner: asha, pruner_options: {min_resorce: 2}}", "tune.pruner_options: unknown key min_resorce; the asha pruner takes min_resource, reduction_factor, min_early_stopping_rate"),
            ("{pruner: asha, pruner_options: {n_warmup_steps: 2}}", "tune.pruner_options.n_warmup_steps: a setting of the median pruner, but tune.pruner is asha"),
            ("{pruner_options: {min_resource: 2}}", "tune.pruner_options.min_resource: a setting of the asha and hyperband pruner, but tune.pruner is none; the pruner none takes no settings"),
            ("{pruner: median, pruner_options: {max_resource: 9}}", "a setting of the hyperband pruner, but tune.pruner is median"),
            ("{pruner: asha, pruner_options: {reduction_factor: 1}}", "tune.pruner_options.reduction_factor: expected an integer ≥ 2, got 1"),
            ("{pruner: asha, pruner_options: {min_resource: 1.5}}", "tune.pruner_options.min_resource: expected an integer, got"),
            ("{pruner: median, pruner_options: {interval_steps: often}}", "tune.pruner_options.interval_steps: expected an integer, got"),
            ("{pruner: median, pruner_options: {n_warmup_steps: -1}}", "tune.pruner_options.n_warmup_steps: expected an integer ≥ 0, got -1"),
            ("{pruner: hyperband, pruner_options: {min_resource: 3, max_resource: 2}}", "tune.pruner_options.max_resource: expected an integer ≥ min_resource (3), got 2"),
            ("{pruner: asha, pruner_options: [1, 3]}", "tune.pruner_options: expected a mapping of the pruner's settings"),
        ]
        for (tune, message) in cases {
            do {
                _ = try Self.config(tune)
                Issue.record("accepted: \(tune)")
            } catch {
                #expect("\(error)".contains(message), "\(tune): \(error)")
                #expect(!"\(error)".contains("\n"), "one line: \(error)")
            }
        }
    }
}
