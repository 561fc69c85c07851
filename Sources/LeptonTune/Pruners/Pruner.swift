/// Decides whether a running trial should stop early, from the intermediate values it and the
/// other trials reported (Optuna's pruners). Pruners hold no state of their own: everything
/// they need is in the study's storage, so they work the same with parallel workers.
public protocol Pruner: Sendable {
    /// Whether `trial`, which has just reported its value at `step`, should stop.
    /// - Parameters:
    ///   - trials: every trial of the study (the one asking included).
    func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool
}

/// Never prunes.
public struct NoPruner: Pruner {
    public init() {}
    public func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool { false }
}

/// Names the built-in pruners for configs and the command line.
public enum PrunerKind: String, Sendable, CaseIterable, Codable {
    case none, median, asha, hyperband

    /// A pruner of this kind with its default settings, for trials of at most `maximumSteps`
    /// steps (reports: epochs by default). ``PrunerSettings`` sets them from a config.
    public func make(maximumSteps: Int) -> any Pruner {
        PrunerSettings(kind: self).make(maximumSteps: maximumSteps)
    }
}
