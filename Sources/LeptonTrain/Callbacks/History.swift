/// Every epoch's logs (`keras.callbacks.History`); ``Model/fit(_:epochs:initialEpoch:validationData:callbacks:verbose:)`` returns it.
public final class History: Callback {
    /// `history["loss"]` is the loss of each epoch, and so on for every logged key.
    public private(set) var history: [String: [Float]] = [:]
    /// Epoch indices recorded.
    public private(set) var epochs: [Int] = []

    public init() {}

    /// Replaces the record with the epochs of an earlier run (a resumed fit continues it).
    public func load(_ history: [String: [Float]], epochs: [Int]) {
        self.history = history
        self.epochs = epochs
    }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) {
        epochs.append(epoch)
        for (key, value) in logs.entries { history[key, default: []].append(value) }
    }
}
