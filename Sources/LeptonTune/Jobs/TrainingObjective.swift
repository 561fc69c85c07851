import Foundation
import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTrain

/// Runs one trial of a ``TuningConfig`` as a ``LeptonJobs/TrainingJob`` — the same training
/// `lepton train` runs: reports the metric as the trial's intermediate value after every epoch
/// (or `k` times an epoch, ``TuningConfig/reports``, when the study has a pruner), cancels the
/// job when the pruner says so (mid-epoch too), and tells the study how the trial ended. The dataset is loaded once per
/// objective and shared by its trials (a worker process runs one objective).
public struct TrainingObjective {
    public let config: TuningConfig
    public let study: Study
    private let cache = DatasetCache()

    public init(config: TuningConfig, study: Study) {
        self.config = config
        self.study = study
    }

    /// How many times the objective has loaded a dataset (once, unless trials search `dataset:` keys).
    public var datasetLoads: Int { cache.loads }

    /// Trains `trial`, saving its model to `output` (nil: not saved), and tells the study the
    /// outcome: complete with the metric's last value, pruned, or failed with the reason
    /// (a config the values make invalid, a training error, a metric that is missing or NaN).
    @discardableResult
    public func run(_ trial: Trial, output: String?) -> TrialOutcome {
        let heartbeat = Heartbeat(study: study, trial: trial)
        let outcome = evaluate(trial, output: output)
        heartbeat.stop()
        do { try study.tell(trial, outcome) } catch {
            FileHandle.standardError.write(Data("error: trial \(trial.number): cannot record its outcome: \(error)\n".utf8))
        }
        return outcome
    }

    private func evaluate(_ trial: Trial, output: String?) -> TrialOutcome {
        let training: TrainingConfig
        do { training = try config.trainingConfig(trial.params) } catch {
            return .failed("the trial's training config is refused: \(error)")
        }
        let data: DatasetParts
        do { data = try cache.data(for: training) } catch {
            return .failed("cannot load the dataset: \(error)")
        }
        // Mid-epoch reports cost a validation pass each; a study that never prunes skips them.
        let midEpoch = config.reports.reportsPerEpoch > 1 && !(study.pruner is NoPruner)
        let job: TrainingJob
        do {
            var options = TrainingJob.Options()
            options.output = output
            options.overwrite = true
            options.batchEvents = midEpoch
            job = try TrainingJob(config: training, options: options, data: data)
        } catch {
            return .failed("the trial's training config is refused: \(error)")
        }
        let reporter = TrialReporter(trial: trial, study: study, job: job, metric: config.metric, schedule: config.reports,
                                     midEpoch: midEpoch ? MidEpochEvaluator(metric: config.metric, training: training, data: data) : nil)
        do {
            try job.run(onEvent: reporter.handle)
        } catch {
            if reporter.pruned { return .pruned }
            return .failed(reporter.error ?? "\(error)")
        }
        if let reason = reporter.error { return .failed(reason) }
        guard let value = reporter.lastValue else { return .failed("training reported no epoch") }
        return .complete(value)
    }
}
