import Foundation
import LeptonJobs
import LeptonNN
import LeptonTune
import Testing

/// A training config with a `search:` section: parsing, substitution into the training config,
/// and trials run as training jobs (reporting per epoch, pruned by cancelling the job).
@Suite(.serialized) struct TuningConfigTests {
    static let training = """
    dataset: {name: mnist, train_limit: 256, test_limit: 64}
    model: {layers: [{type: Flatten}, {type: Dense, units: 16, activation: relu}, {type: Dropout, rate: 0.1}, {type: Dense, units: 10, activation: softmax}]}
    optimizer: {name: adam, learning_rate: 0.001}
    loss: sparse_categorical_crossentropy
    metrics: [accuracy]
    epochs: 3
    batch_size: 64
    validation_split: 0.25
    seed: 3

    """

    static func parse(_ yaml: String) throws -> TuningConfig {
        try TuningConfig(try YAMLDocument.parse(yaml), file: "test.yaml")
    }

    @Test func searchedValuesGoIntoTheTrainingConfig() throws {
        let config = try Self.parse(Self.training + """
        search:
          optimizer.learning_rate: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}
          model.layers[1].units: {type: int, low: 8, high: 64, step: 8}
          model.layers[2].rate: {type: float, low: 0.0, high: 0.5}
          batch_size: {type: choice, values: [32, 64]}
        tune: {metric: val_accuracy, pruner: asha}
        """)
        #expect(config.metric == "val_accuracy" && config.direction == .maximize && config.pruner == .asha && config.sampler == .tpe)
        #expect(config.epochs == 3)
        let training = try config.trainingConfig(["optimizer.learning_rate": 0.005, "model.layers[1].units": 48,
                                                  "model.layers[2].rate": 0.3, "batch_size": 32])
        #expect(training.batchSize == 32)
        #expect("\(training.optimizer)".contains("0.005"), "\(training.optimizer)")
        #expect(training.layers[1] == ["type": "Dense", "units": 48, "activation": "relu"])
        #expect(training.layers[2] == ["type": "Dropout", "rate": 0.3])
        #expect(try Self.parse(Self.training + "search: {batch_size: {type: int, low: 8, high: 64}}").direction == .minimize,
                "val_loss by default")
    }

    @Test func badSearchSectionsNameTheProblem() {
        let cases = [
            ("", "search: missing"),
            ("search:\n  model.layers[9].units: {type: int, low: 8, high: 64}", "model.layers has 4 entries, so there is no [9]"),
            ("search: {optimizer.momentum: {type: float, low: 0, high: 1}}", "the config has no optimizer.momentum"),
            ("search: {batch_size: {type: int, low: 64, high: 8}}", "expected low < high"),
            ("search: {batch_size: {type: int, low: 0, high: 8}}", "batch_size: expected an integer ≥ 1, got 0"),
            ("search: {batch_size: {type: int, low: 8, high: 64}}\ntune: {sampler: cma}", "tune.sampler: expected one of tpe, gp, random, grid, got \"cma\""),
            ("search: {batch_size: {type: int, low: 8, high: 64}}\ntune: {direction: up}", "tune.direction: expected minimize or maximize"),
            ("search: {}", "search: expected a mapping from config key paths to ranges"),
            ("search: {batch_size: {type: int, low: 8, high: 64}}\ntune: {report_every: 0.3}",
             "tune.report_every: expected a fraction of an epoch 1/k for a whole k from 1 to 100 (1, 0.5, 0.25, 0.2, 0.1, …), got 0.3"),
            ("search: {batch_size: {type: int, low: 8, high: 64}}\ntune: {report_every: 2}", "tune.report_every: expected a fraction of an epoch 1/k"),
            ("search: {batch_size: {type: int, low: 8, high: 64}}\ntune: {report_every: often}", "tune.report_every: expected a number, got"),
            ("search: {batch_size: {type: int, low: 8, high: 64}}\ntune: {reports: 4}", "reports"),
        ]
        for (yaml, message) in cases {
            do {
                _ = try Self.parse(Self.training + yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect("\(error)".contains(message), "\(yaml): \(error)")
                #expect(!"\(error)".contains("\n"), "one line: \(error)")
            }
        }
    }

    /// Prunes every trial at its first report.
    struct AlwaysPrune: Pruner {
        func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool { true }
    }

    @Test func trialsTrainReportEachEpochAndStopWhenPruned() throws {
        let config = try Self.parse(Self.training + "search: {optimizer.learning_rate: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}}\ntune: {metric: val_accuracy}\n")
        let storage = InMemoryStorage()
        let study = try Study(name: "t", space: config.space, direction: config.direction, storage: storage, sampler: RandomSampler(seed: 1))
        let complete = TrainingObjective(config: config, study: study).run(try study.ask(), output: nil)
        guard case let .complete(value) = complete else { Issue.record("\(complete)"); return }
        #expect(value > 0.1 && value <= 1)
        let pruning = try Study(name: "t", space: config.space, direction: config.direction, storage: storage, pruner: AlwaysPrune())
        #expect(TrainingObjective(config: config, study: pruning).run(try pruning.ask(), output: nil) == .pruned)
        let trials = try study.trials()
        #expect(trials.map(\.state) == [.complete, .pruned])
        #expect(trials[0].intermediate.keys.sorted() == [1, 2, 3] && trials[0].value == trials[0].intermediate[3])
        #expect(trials[1].intermediate.keys.sorted() == [1], "the pruned trial stopped after its first epoch")
        let missing = try Self.parse(Self.training + "search: {batch_size: {type: int, low: 32, high: 64}}\ntune: {metric: val_auc}\n")
        let failing = try Study(name: "m", space: missing.space, direction: missing.direction, storage: storage)
        let outcome = TrainingObjective(config: missing, study: failing).run(try failing.ask(), output: nil)
        #expect(outcome == .failed("the epoch logs have no val_auc (they have loss, accuracy, val_loss, val_accuracy)"), "\(outcome)")
    }

    /// Prunes a trial when it reports `step`.
    struct PruneAtStep: Pruner {
        let step: Int
        func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool { step == self.step }
    }

    @Test func trialsReportKTimesAnEpochAndStopMidEpochWhenPruned() throws {
        // 192 training samples in batches of 16: 12 batches an epoch, reports after batches 3, 6, 9 and at the end.
        let search = "search: {optimizer.learning_rate: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}}\n"
        let training = Self.training.replacingOccurrences(of: "batch_size: 64", with: "batch_size: 16")
        let quarter = try Self.parse(training + search + "tune: {metric: val_accuracy, report_every: 0.25}\n")
        let epochly = try Self.parse(training + search + "tune: {metric: val_accuracy}\n")
        #expect(quarter.reports.reportsPerEpoch == 4 && quarter.maximumSteps == 12 && epochly.maximumSteps == 3)
        // The same sampler seed: the first trial of every study has the same learning rate. A
        // median pruner that waits for 100 trials never prunes here, but makes trials report.
        func study(_ config: TuningConfig, _ pruner: any Pruner = MedianPruner(startupTrials: 100)) throws -> Study {
            try Study(name: "q", space: config.space, direction: config.direction, storage: InMemoryStorage(),
                      sampler: RandomSampler(seed: 7), pruner: pruner)
        }
        let fine = try study(quarter), coarse = try study(epochly), unpruned = try study(quarter, NoPruner())
        let objective = TrainingObjective(config: quarter, study: fine)
        _ = objective.run(try fine.ask(), output: nil)
        _ = TrainingObjective(config: epochly, study: coarse).run(try coarse.ask(), output: nil)
        _ = TrainingObjective(config: quarter, study: unpruned).run(try unpruned.ask(), output: nil)
        let reported = try #require(try fine.trials().first), once = try #require(try coarse.trials().first)
        let epochEnds = try #require(try unpruned.trials().first)
        #expect(reported.params == once.params && reported.params == epochEnds.params)
        #expect(reported.state == .complete && reported.intermediate.keys.sorted() == Array(1...12))
        #expect(reported.value == reported.intermediate[12])
        // Reporting more often changes nothing in training: the ends of the epochs report what they did before.
        #expect([4, 8, 12].map { reported.intermediate[$0] } == [1, 2, 3].map { once.intermediate[$0] }, "\(reported.intermediate) vs \(once.intermediate)")
        // A study that never prunes skips the mid-epoch evaluations; its steps keep their meaning.
        #expect(epochEnds.intermediate == [4: once.intermediate[1]!, 8: once.intermediate[2]!, 12: once.intermediate[3]!], "\(epochEnds.intermediate)")
        // Mid-epoch values are validation accuracies: multiples of 1/64 on the 64 held-out samples.
        for step in [1, 2, 3, 5, 6, 7] {
            let hits = try #require(reported.intermediate[step]) * 64
            #expect(abs(hits - hits.rounded()) < 1e-4, "step \(step): \(hits / 64)")
        }
        // A second trial of the same objective trains on the dataset loaded for the first.
        _ = objective.run(try fine.ask(), output: nil)
        #expect(objective.datasetLoads == 1)

        let pruning = try study(quarter, PruneAtStep(step: 2))
        #expect(TrainingObjective(config: quarter, study: pruning).run(try pruning.ask(), output: nil) == .pruned)
        let pruned = try #require(try pruning.trials().first)
        #expect(pruned.state == .pruned && pruned.intermediate.keys.sorted() == [1, 2], "stopped half way through its first epoch")
    }
}
