import Foundation

/// Stops a trial whose intermediate value at a step is worse than the median of the other
/// trials' values at that step (Optuna's `MedianPruner`): once `startupTrials` trials have
/// finished, from step `warmupSteps + 1` on (steps count from 1), at every `intervalSteps`-th
/// step from there — a check that falls on a step the trial did not report is made at its
/// next report —, and only when at least `minimumTrials` other trials reported that step.
public struct MedianPruner: Pruner {
    public let startupTrials: Int
    public let warmupSteps: Int
    /// Steps between two checks (Optuna's `interval_steps`).
    public let intervalSteps: Int
    /// The fewest other trials' values at a step to judge by (Optuna's `n_min_trials`).
    public let minimumTrials: Int

    /// The settings' defaults (Optuna's `MedianPruner`'s).
    public enum Defaults {
        public static let startupTrials = 5, warmupSteps = 0, intervalSteps = 1, minimumTrials = 1
    }

    /// A pruner with these settings; each left out takes its value in ``Defaults``.
    public init(startupTrials: Int = Defaults.startupTrials, warmupSteps: Int = Defaults.warmupSteps, intervalSteps: Int = Defaults.intervalSteps,
                minimumTrials: Int = Defaults.minimumTrials) {
        self.startupTrials = startupTrials
        self.warmupSteps = warmupSteps
        self.intervalSteps = max(intervalSteps, 1)
        self.minimumTrials = max(minimumTrials, 1)
    }

    /// Whether `step` is the trial's first report at or after a check (Optuna's
    /// `_is_first_in_interval_step`); checks fall at `warmupSteps + 1 + k · intervalSteps`.
    public func isCheck(step: Int, reported: some Collection<Int>) -> Bool {
        let first = warmupSteps + 1
        guard step >= first else { return false }
        let latestCheck = (step - first) / intervalSteps * intervalSteps + first
        let previous = reported.filter { $0 != step && $0 < step }.max() ?? Int.min
        return previous < latestCheck
    }

    public func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool {
        guard isCheck(step: step, reported: trial.intermediate.keys), let value = trial.intermediate[step] else { return false }
        guard trials.filter({ $0.state == .complete || $0.state == .pruned }).count >= startupTrials else { return false }
        let others = trials.filter { $0.number != trial.number && $0.state != .failed }.compactMap { $0.intermediate[step] }
            .filter(\.isFinite).sorted()
        guard !others.isEmpty, others.count >= minimumTrials else { return false }
        let middle = others.count / 2
        let median = others.count % 2 == 1 ? others[middle] : (others[middle - 1] + others[middle]) / 2
        guard value.isFinite else { return true }
        return direction.isBetter(median, than: value)
    }
}
