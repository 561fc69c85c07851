/// Where a trial stands. `waiting` is a trial queued to run again the parameters of one whose
/// worker died; `running` is being evaluated; the other three are finished.
public enum TrialState: String, Sendable, Codable, CaseIterable {
    case waiting, running, complete, pruned, failed

    /// Whether the trial has ended (complete, pruned or failed).
    public var isFinished: Bool { self == .complete || self == .pruned || self == .failed }
}

/// How a trial ended, as told to ``Study/tell(_:_:)``.
public enum TrialOutcome: Sendable, Equatable {
    /// The objective's value (NaN or infinite values are recorded as failed).
    case complete(Double)
    /// Stopped early by the pruner.
    case pruned
    /// The objective threw or could not be evaluated; `reason` says why.
    case failed(String)
}
