import LeptonTrain

/// What a ``TrainingJob`` reports as it runs, in order: `started`, possibly `resumed`, then
/// `batchEnded`/`epochEnded` as training goes, `evaluated`, `saved` when the config names an
/// output, and finally `finished` — or `failed` (also for a cancelled job) at any point.
public enum TrainingEvent: Sendable, CustomStringConvertible {
    /// The data are loaded and the model is built.
    case started(trainSamples: Int, testSamples: Int, parameters: Int, epochs: Int)
    /// A backup was found: training goes on after `epochsDone` of `epochs` epochs.
    case resumed(epochsDone: Int, epochs: Int, backup: String)
    /// A training batch ended (running means over the epoch so far).
    case batchEnded(epoch: Int, batch: Int, of: Int, logs: Logs)
    /// An epoch ended (with `val_…` entries when there is validation data).
    case epochEnded(epoch: Int, logs: Logs)
    /// The test set was evaluated after training.
    case evaluated(Logs)
    /// The model was saved.
    case saved(path: String)
    /// The job ended normally.
    case finished(TrainingResult)
    /// The job stopped on an error (or was cancelled).
    case failed(String)

    public var description: String {
        switch self {
        case let .started(train, test, parameters, epochs):
            return "started: \(train) training samples, \(test) test samples, \(parameters) parameters, \(epochs) epochs"
        case let .resumed(done, epochs, backup): return "resumed from \(backup): \(done) of \(epochs) epochs done"
        case let .batchEnded(epoch, batch, of, logs): return "epoch \(epoch + 1) batch \(batch + 1)/\(of): \(logs)"
        case let .epochEnded(epoch, logs): return "epoch \(epoch + 1): \(logs)"
        case let .evaluated(logs): return "test: \(logs)"
        case let .saved(path): return "saved to \(path)"
        case let .finished(result): return "finished in \(String(format: "%.1f", result.trainingSeconds)) s; test: \(result.test)"
        case let .failed(message): return "failed: \(message)"
        }
    }
}

/// What a finished ``TrainingJob`` produced.
public struct TrainingResult: Sendable {
    /// Every epoch's logs, by key (``History/history``), and the epochs they belong to.
    public let history: [String: [Float]]
    public let epochs: [Int]
    /// Loss and metrics on the test set after training.
    public let test: Logs
    /// Seconds spent in `fit`.
    public let trainingSeconds: Double
    /// Where the model was saved (nil when the config names no output).
    public let savedTo: String?
}
