import Foundation

/// Stops a trial whose intermediate value at a step is worse than the median of the other
/// trials' values at that step — once `startupTrials` trials have finished, and from step
/// `warmupSteps + 1` on (Optuna's `MedianPruner`).
public struct MedianPruner: Pruner {
    public let startupTrials: Int
    public let warmupSteps: Int

    public init(startupTrials: Int = 5, warmupSteps: Int = 0) {
        self.startupTrials = startupTrials
        self.warmupSteps = warmupSteps
    }

    public func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool {
        guard step > warmupSteps, let value = trial.intermediate[step] else { return false }
        guard trials.filter({ $0.state == .complete || $0.state == .pruned }).count >= startupTrials else { return false }
        let others = trials.filter { $0.number != trial.number && $0.state != .failed }.compactMap { $0.intermediate[step] }
            .filter(\.isFinite).sorted()
        guard !others.isEmpty else { return false }
        let middle = others.count / 2
        let median = others.count % 2 == 1 ? others[middle] : (others[middle - 1] + others[middle]) / 2
        guard value.isFinite else { return true }
        return direction.isBetter(median, than: value)
    }
}
