import Foundation
import LeptonJobs
import LeptonNN

/// Runs one trial of a ``TuningConfig`` as a ``LeptonJobs/TrainingJob`` — the same training
/// `lepton train` runs: reports the metric after every epoch as the trial's intermediate
/// value, cancels the job when the pruner says so, and tells the study how the trial ended.
public struct TrainingObjective {
    public let config: TuningConfig
    public let study: Study

    public init(config: TuningConfig, study: Study) {
        self.config = config
        self.study = study
    }

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
        let pruned = Box(false), lastValue = Box<Double?>(nil), reportError = Box<String?>(nil)
        let job: TrainingJob
        do {
            var options = TrainingJob.Options()
            options.output = output
            options.overwrite = true
            job = try TrainingJob(config: try config.trainingConfig(trial.params), options: options)
        } catch {
            return .failed("the trial's training config is refused: \(error)")
        }
        let metric = config.metric
        do {
            try job.run { event in
                guard case let .epochEnded(epoch, logs) = event else { return }
                guard let value = logs[metric].map(Double.init) else {
                    reportError.value = "the epoch logs have no \(metric) (they have \(logs.entries.map(\.0).joined(separator: ", ")))"
                    job.cancel()
                    return
                }
                lastValue.value = value
                do {
                    if try study.report(trial, step: epoch + 1, value: value) {
                        pruned.value = true
                        job.cancel()
                    }
                } catch {
                    reportError.value = "cannot report to the study: \(error)"
                    job.cancel()
                }
            }
        } catch {
            if pruned.value { return .pruned }
            return .failed(reportError.value ?? "\(error)")
        }
        if let reason = reportError.value { return .failed(reason) }
        guard let value = lastValue.value else { return .failed("training reported no epoch") }
        return .complete(value)
    }
}

/// A value the training thread sets and the caller reads after the job returns.
private final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
