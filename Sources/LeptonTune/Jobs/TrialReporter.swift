import LeptonJobs
import LeptonTrain

/// Turns a trial's training events into reports to its study, on the ``ReportSchedule``:
/// mid-epoch reports when their batch ends (measured by a ``MidEpochEvaluator``), the epoch's
/// last report from its logs; it cancels the job as soon as the pruner says stop. Without a
/// mid-epoch evaluator (a study that never prunes) only the epochs' last reports are made, at
/// the same steps. The
/// training thread calls ``handle(_:)``; the caller reads the outcome after the job returns.
final class TrialReporter: @unchecked Sendable {
    let trial: Trial
    let study: Study
    let job: TrainingJob
    let metric: String
    let schedule: ReportSchedule
    let midEpoch: MidEpochEvaluator?

    /// Whether the pruner stopped the trial.
    private(set) var pruned = false
    /// The metric at the end of the last epoch.
    private(set) var lastValue: Double?
    /// Why the trial failed (a missing metric, a study that cannot be reached).
    private(set) var error: String?
    /// Reports made in the current epoch.
    private var reported = 0

    init(trial: Trial, study: Study, job: TrainingJob, metric: String, schedule: ReportSchedule, midEpoch: MidEpochEvaluator?) {
        (self.trial, self.study, self.job, self.metric, self.schedule, self.midEpoch) = (trial, study, job, metric, schedule, midEpoch)
    }

    func handle(_ event: TrainingEvent) {
        switch event {
        case let .batchEnded(epoch, batch, batches, logs):
            let due = schedule.reportsDue(afterBatches: batch + 1, of: batches)
            guard due > reported, let midEpoch, let model = job.model else { return }
            // A metric that cannot be measured is reported missing at the end of the epoch.
            guard let value = midEpoch.value(model: model, batchLogs: logs) else { return }
            report(value, epoch: epoch, through: due)
        case let .epochEnded(epoch, logs):
            guard let value = logs[metric].map(Double.init) else {
                fail("the epoch logs have no \(metric) (they have \(logs.keys.joined(separator: ", ")))")
                return
            }
            lastValue = value
            if midEpoch == nil { reported = schedule.reportsPerEpoch - 1 }
            report(value, epoch: epoch, through: schedule.reportsPerEpoch)
            reported = 0
        default:
            break
        }
    }

    /// Reports `value` as every report of `epoch` not made yet, up to report `index`.
    private func report(_ value: Double, epoch: Int, through index: Int) {
        while reported < index, !pruned, error == nil {
            reported += 1
            do {
                if try study.report(trial, step: schedule.step(epoch: epoch, index: reported), value: value) {
                    pruned = true
                    job.cancel()
                }
            } catch {
                fail("cannot report to the study: \(error)")
            }
        }
    }

    private func fail(_ reason: String) {
        error = reason
        job.cancel()
    }
}
